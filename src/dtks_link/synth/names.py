"""Weighted name pools for a Depok population and the token vocabulary the error model edits.

Names are held as integer token ids into one upper-case vocabulary (:class:`NameVocab`), so
that every name edit (old spelling, Muhammad variants, nicknames, initials) is an array lookup.
Pools follow domain.md §3: Sundanese, Betawi, Javanese, Arabic-Muslim, Batak (with marga),
Minang, Chinese-Indonesian and eastern-Indonesian/Christian names, plus a "modern" pool of
names common among people born after 1995. Weights are relative frequencies chosen by hand;
no Indonesian name-frequency table exists (domain.md §3.5), so they are plausible, not measured.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "ETHNICITIES",
    "ETHNIC_SHARES",
    "MUSLIM_SHARE",
    "NameVocab",
    "load_vocab",
    "to_old_spelling",
]

ETHNICITIES: tuple[str, ...] = ("sunda", "betawi", "jawa", "batak", "minang", "tionghoa", "timur")
"""Ethnic backgrounds of households; index = ethnicity code."""

ETHNIC_SHARES: tuple[float, ...] = (0.28, 0.22, 0.31, 0.05, 0.05, 0.04, 0.05)
"""Share of households per ethnicity (Depok: Sundanese/Betawi/Javanese majority) [uncertain]."""

MUSLIM_SHARE: tuple[float, ...] = (0.99, 0.99, 0.95, 0.35, 0.99, 0.15, 0.20)
"""Share of Muslim households per ethnicity; drives Arabic names, bin/binti and H./Hj."""

# Pools: "TOKEN weight" separated by commas. Weights are relative within a pool.
_POOLS: dict[tuple[str, str, str], str] = {
    ("sunda", "m", "first"): (
        "ASEP 30, UJANG 14, DEDE 12, DEDI 14, CECEP 8, AGUS 14, DADANG 10, JAJANG 6, NANANG 6,"
        " ENCEP 5, ADE 10, KOMAR 4, OMAN 4, MAMAN 6, YAYAN 6, IWAN 8, HENDRA 6, ANDRI 5,"
        " RUDI 7, WAWAN 6, DENI 7, SOPIAN 4, ENDANG 6, DODI 5, EMAN 3, ENDING 2, OTONG 2,"
        " ENJANG 2, ATENG 2, UUS 2, AJAT 3, ACENG 3, YADI 4, DIDIN 4, ENGKOS 2, ENTIS 2,"
        " KUSNADI 3, SUHERMAN 3, SUPRIATNA 3, SUNARYA 3, DADAN 5, HERI 5, YUSUP 3, DEDEN 4"
    ),
    ("sunda", "f", "first"): (
        "EUIS 12, NENENG 12, ENENG 8, ENUNG 5, ENTIN 5, IIS 6, CUCU 4, IMAS 6, NENG 4,"
        " EEN 4, TITIN 6, TATI 6, YATI 6, ENOK 3, LILIS 7, YAYAH 3, ELIS 6, DEDEH 4, NINING 5,"
        " NUNUNG 4, WINDA 3, RIKA 3, SRI 10, NOVI 4, SUSAN 2, RINA 6, ENDANG 5, YANTI 6,"
        " ETI 4, ATIKAH 3, OOM 2, ICIH 2, EMIH 2, EPON 1, ENTIS 1, TETI 5, HENI 5, NANI 4,"
        " EUTIK 1, IMAS 3, ANI 5, YULI 4"
    ),
    ("sunda", "m", "second"): (
        "SUPRIATNA 6, MULYANA 6, HERMAWAN 6, SETIAWAN 8, GUNAWAN 7, RUSTANDI 4, SAEPUDIN 5,"
        " SOLIHIN 5, MUHTAR 3, SUHENDAR 5, KURNIA 4, SUNARYA 4, HIDAYAT 8, RAHMAT 5, SUTISNA 4,"
        " PERMANA 5, NUGRAHA 5, SAPUTRA 4, SUHENDRA 4, SURYANA 4, WAHYUDIN 4, JUANDA 3,"
        " KUSWANDI 3, SUMPENA 2, HERMANSYAH 3, SOPANDI 3, SUPARMAN 3, FIRMANSYAH 3"
    ),
    ("sunda", "f", "second"): (
        "MULYANI 8, SUMIATI 6, NURHASANAH 7, MARLINA 6, KURNIASIH 5, RAHAYU 7, HERAWATI 6,"
        " HARTINI 4, SETIAWATI 5, KOMALASARI 4, ROSMAWATI 4, KARTIKA 3, SUNARSIH 3, NURJANAH 5,"
        " HASANAH 5, ROHAETI 3, SUKAESIH 2, NURLELA 4, SITI NURJANAH 0, YULIANTI 5, HANDAYANI 4,"
        " LESTARI 4, WULANDARI 3, AMINAH 3, NURHAYATI 4, SUMARNI 2"
    ),
    ("betawi", "m", "first"): (
        "MUHIDIN 8, SANUSI 6, SAMAN 4, MARZUKI 6, SARIPUDIN 5, NAMIN 3, JAHRI 3, ROJALI 5,"
        " SAPRI 4, MAMAT 6, MANSUR 6, SARMILI 2, NAIPIN 2, BASRI 4, JAYADI 4, HASBULLAH 4,"
        " MADSUKI 2, ROHIM 4, SAMSUDIN 6, SARBINI 3, NAWI 3, MINAN 2, SAIPUL 4, JUNAEDI 6,"
        " NURDIN 5, ZAINUDIN 4, SAHRONI 4, RAMLI 4, UDIN 3, SAMAD 3, MASRI 3, ROJAK 3,"
        " SAMIN 3, BAHRUDIN 3, SUKRI 3, HAMDANI 3, SARMAN 2, ARIFIN 4"
    ),
    ("betawi", "f", "first"): (
        "SAODAH 6, MAEMUNAH 7, ROHAYA 4, JULAEHA 5, MUNAWAROH 4, MARSIH 3, SARMINAH 3,"
        " NURAINI 5, ZUBAEDAH 4, ROHMAWATI 4, SITI 20, SALAMAH 4, RUKAYAH 4, JUBAEDAH 5,"
        " MASTURAH 2, NAPSIAH 2, ROSIDAH 4, HALIMAH 4, SANIAH 2, MUNAH 2, KHODIJAH 3, AMINAH 5,"
        " MARYAM 3, FATIMAH 4, SAROH 2, MUNIROH 2, UMAYAH 2, JAMILAH 3, SAMSIAH 2"
    ),
    ("betawi", "m", "second"): (
        "SAPUTRA 5, HIDAYAT 6, SAMSUDIN 4, ARIFIN 5, FIRDAUS 4, RAMADHAN 4, MAULANA 4,"
        " SYARIFUDIN 3, ABDULLAH 4, RAHMAN 4, NURDIN 3, ZAKARIA 3, SOLEH 3, SUBANDI 3,"
        " SAHRONI 3, HASAN 3, ALI 3, MUKHTAR 3, FAHRUDIN 3, SAPRUDIN 3"
    ),
    ("betawi", "f", "second"): (
        "NURHASANAH 5, HASANAH 5, MARYAM 3, FATIMAH 3, ROHMAH 4, NURJANAH 4, AMINAH 4,"
        " HALIMAH 3, SARAH 2, SALAMAH 3, ZAKIYAH 2, KHAIRIYAH 2, SAFITRI 4, RAHMAWATI 4,"
        " YULIANA 3, ANGGRAENI 2, MULYANI 3"
    ),
    ("jawa", "m", "first"): (
        "BAMBANG 10, SUPARMAN 7, SUTRISNO 6, SUGENG 5, SLAMET 8, JOKO 9, TRI 8, EKO 12,"
        " DWI 9, BUDI 12, AGUS 12, HERU 7, WAHYU 8, SUHARTO 4, SUKARNO 3, SUMARNO 4, SUWARNO 4,"
        " SUPRIYADI 5, SUYATNO 4, TEGUH 6, PURNOMO 4, HARYANTO 5, SUGIYANTO 5, KUSNADI 3,"
        " SUBAGYO 3, MULYONO 4, WARSITO 3, PAIMAN 2, PARJO 2, GATOT 3, SURYADI 4, SUPARDI 4,"
        " SUROSO 3, SUNARDI 4, SUKIRMAN 3, SUGIARTO 4, SUPRAPTO 4, HARTONO 4, WIDODO 4,"
        " SISWANTO 3, SUJARWO 2, SUMADI 2, SAMINO 2, TUKIMAN 2, GIYANTO 2, YULIANTO 4, ANDI 4,"
        " ARIS 4, ARI 5, HADI 4, BAGUS 3, DIDIK 4, KUSWORO 2, SUYONO 3"
    ),
    ("jawa", "f", "first"): (
        "SRI 22, TRI 6, DWI 5, ENDANG 7, SUMIATI 5, SUPARMI 4, SUKINAH 3, SUMARNI 4, SITI 18,"
        " WARSINI 3, TUMINAH 3, PARTINAH 2, SUKARNI 3, RATNA 5, DEWI 8, WAHYUNI 4, ENI 5,"
        " ASTUTI 3, SULASTRI 4, KUSMIATI 3, YULIANTI 4, NINGSIH 3, SUTINAH 3, WIWIK 4, TUTIK 4,"
        " SUPRIHATIN 3, SUYATMI 3, SUMIYATI 3, PAINEM 2, SUGIYEM 2, MARSINAH 2, SUNARTI 4,"
        " SRI WAHYUNI 0, YAYUK 3, RINI 5, ENDAH 4, KARTINI 3, SURATMI 2, WIDYA 3, NUR 4, ANI 4"
    ),
    ("jawa", "m", "second"): (
        "PRASETYO 7, SANTOSO 8, NUGROHO 7, SETIAWAN 6, HARTONO 5, WIDODO 6, PURNOMO 5,"
        " SUSILO 4, WIBOWO 6, KURNIAWAN 7, SAPUTRO 5, PRIYANTO 5, SUPRIYANTO 5, HARYADI 4,"
        " SUGIHARTO 4, SETIADI 4, RAHARJO 5, WIJAYA 4, SUSANTO 5, SUDARSONO 3, SUPARNO 3,"
        " SUTRISNO 4, GUNAWAN 4, HERMANTO 3, ARIYANTO 4, PAMUNGKAS 3, UTOMO 5, HIDAYAT 4,"
        " SUBAGYO 3, SULISTYO 3, WALUYO 3, SUMARNO 3, RIYADI 4, YULIANTO 3, HANDOKO 3"
    ),
    ("jawa", "f", "second"): (
        "WAHYUNI 7, LESTARI 7, ASTUTI 6, HANDAYANI 7, RAHAYU 7, SETYOWATI 5, PURWANTI 5,"
        " SULASTRI 4, KUSUMAWATI 4, YULIANTI 5, WIDYASTUTI 4, NINGSIH 5, MULYANI 4, SUSANTI 5,"
        " WULANDARI 5, PRATIWI 5, HARTATI 4, SUMARNI 3, SURYANI 4, RAHMAWATI 4, HERAWATI 3,"
        " SUPRIHATIN 3, INDRIYANI 3, PUSPITASARI 3, KURNIASIH 2, ANGGRAENI 3, PURWATI 3,"
        " SARI 4, UTAMI 4, WIDIASTUTI 2"
    ),
    ("arab", "m", "first"): (
        "MUHAMMAD 60, AHMAD 30, ABDUL 20, ABDULLAH 6, HASAN 5, HUSEIN 3, ALI 4, UMAR 3, USMAN 3,"
        " YUSUF 5, IBRAHIM 3, ISMAIL 4, ILHAM 6, IRFAN 5, FAUZI 4, FAHMI 4, HAMZAH 2, ZAKI 3,"
        " HAFIZ 3, ARIF 7, RAHMAN 3, RAHMAT 6, HIDAYAT 3, SYAIFUL 4, SAIFUL 4, NUR 5, FIRMAN 5,"
        " FIKRI 4, AZIZ 3, HAKIM 2, KHOIRUL 3, IMAM 4, ZAINAL 4, ZULKIFLI 3, SYAMSUL 3,"
        " ANWAR 3, MAHMUD 3, NASRUDIN 2, TAUFIK 5, LUTFI 3, RIDWAN 5, SYARIF 3, FADIL 3,"
        " HAMDAN 2, JAMALUDIN 2, NURHADI 2, SOLEH 3, MAKMUR 2, ABDURRAHMAN 3, HASANUDIN 3"
    ),
    ("arab", "f", "first"): (
        "SITI 60, NUR 20, NURUL 10, AISYAH 6, FATIMAH 6, KHADIJAH 4, ZAHRA 4, AMINAH 6,"
        " HALIMAH 5, MARYAM 4, ROHMAH 4, RAHMAWATI 4, NURHAYATI 7, HASANAH 3, FITRI 6,"
        " FITRIANI 5, ANISA 6, NABILA 3, SALMA 3, KHAIRUNNISA 2, HABIBAH 2, MAEMUNAH 3,"
        " SALAMAH 3, RUKAYAH 3, JUBAEDAH 3, NURAINI 5, ZAINAB 3, MUTIARA 2, RAHMA 3,"
        " NURJANAH 4, SAFIRA 2, ULFA 3, LAILA 3, NAFISAH 2, MUNIROH 2"
    ),
    ("arab", "m", "second"): (
        "HIDAYAT 6, RAHMAN 6, HIDAYATULLAH 3, ABDULLAH 5, HASAN 4, FAUZI 4, RAMADHAN 5,"
        " MAULANA 5, IBRAHIM 3, ISMAIL 3, YUSUF 4, SYAHPUTRA 3, FIRDAUS 4, ARIFIN 5, MUBAROK 3,"
        " ALFARIZI 2, AKBAR 4, FADILLAH 4, NURHADI 2, ZAKARIA 3, SIDIK 3, HAKIM 3, AMIN 3"
    ),
    ("arab", "f", "second"): (
        "AMINAH 5, FATIMAH 4, AZZAHRA 4, NURHASANAH 5, HASANAH 4, KHOIRUNNISA 3, ROHMAH 4,"
        " RAHMAWATI 5, NURJANAH 4, ZAHRA 3, SALSABILA 3, MAULIDA 3, FAUZIAH 3, HALIMAH 3,"
        " MARYAM 3, SAFITRI 4, HIDAYATI 3, ZULAIKHA 2, NURAINI 3"
    ),
    ("batak", "m", "first"): (
        "JOHANNES 4, MARTUA 4, BONAR 4, TORANG 3, PARLINDUNGAN 3, RUDI 4, HENDRA 5, ROBERT 4,"
        " DANIEL 5, SAMUEL 4, FERDINAND 3, HOTMAN 3, TUMPAL 3, SAHAT 3, RAJA 2, ANDREAS 4,"
        " ARMAN 3, BENNY 3, POLMAN 2, MANGATUR 2, JONNER 2, RICARDO 2, JUNAIDI 3, ISKANDAR 3,"
        " RAMLAN 2, ZULKARNAEN 2, MUHAMMAD 4, AHMAD 2"
    ),
    ("batak", "f", "first"): (
        "RUTH 3, MARIA 5, DORIS 3, ROSMERY 2, NURHAIDA 3, LAMRIA 3, TIOMINAR 2, SRI 4,"
        " HOTMA 2, RIA 3, SARMA 3, DEBORA 3, MONIKA 3, ELFRIDA 2, RISMA 3, MASTIUR 2, ROSLINA 3,"
        " NURMALA 3, SITI 4, DUMA 2, YANTI 3, LINDA 3, ROMAULI 2"
    ),
    ("batak", "x", "family"): (
        "SIREGAR 8, NASUTION 8, LUBIS 7, HARAHAP 7, SIMANJUNTAK 6, HUTAPEA 4, SITOMPUL 4,"
        " MANURUNG 5, PARDEDE 4, SINAGA 6, DAMANIK 4, SIMATUPANG 5, PANJAITAN 5, PANGGABEAN 3,"
        " SIANTURI 3, SIHOMBING 4, SITUMORANG 5, TAMBUNAN 4, SIAHAAN 5, HUTAGALUNG 3, PURBA 4,"
        " SARAGIH 4, NAINGGOLAN 4, GINTING 5, TARIGAN 4, SILALAHI 4, POHAN 3, BATUBARA 3"
    ),
    ("minang", "m", "first"): (
        "AFRIZAL 5, ZULKARNAIN 3, ERIZAL 4, DASRIL 3, SYAFRIZAL 4, ZULHENDRI 3, HENDRI 5,"
        " RIZAL 6, DEDI 4, JONI 4, ALFI 3, FERI 4, YUSRIZAL 3, ADRIAN 3, ANDI 4, YONDRI 2,"
        " DEFRI 3, ERWIN 4, YUSUF 3, ZAINAL 3, ASWIN 2, MUHAMMAD 8, AHMAD 4, SYAHRIAL 3"
    ),
    ("minang", "f", "first"): (
        "YUSNIMAR 3, ROSNIDAR 3, YULIARNI 3, ELVINA 3, DESMAWATI 4, YENI 5, NOVRIANTI 3,"
        " FITRI 5, SRI 5, LENI 4, YUSRINA 2, ERNAWATI 4, NURHAYATI 3, SITI 8, ASMAH 3, ROSMAINI 3,"
        " YUSNIDAR 3, DELVI 2, WATI 3, NILAWATI 3"
    ),
    ("minang", "m", "second"): (
        "PUTRA 6, SYAHPUTRA 4, ZULFIKAR 3, RAHMAN 3, HIDAYAT 3, SUTAN 2, FIRDAUS 4, AMIR 3,"
        " ABDULLAH 3, ARIFIN 3, ILYAS 3, HAMKA 2, SALIM 3, NASRUL 3, EFENDI 4"
    ),
    ("minang", "f", "second"): (
        "PUTRI 6, YANTI 4, WATI 4, SARI 4, AZIZAH 3, FITRIANI 3, YUSNITA 3, HASANAH 3,"
        " NOVITA 3, ROSMAWATI 3, DEWI 3"
    ),
    ("tionghoa", "m", "first"): (
        "HENDRA 6, BUDI 6, KURNIAWAN 4, ANDI 4, WILLIAM 4, KEVIN 4, STEVEN 4, HENRY 3, TONNY 3,"
        " JOHAN 3, FELIX 3, VINCENT 3, DAVID 4, SUSANTO 3, ROBERT 3, ALBERT 3, DANIEL 4, JIMMY 3,"
        " CANDRA 3, YOHANES 2, EDDY 3, RUDY 3, HARTONO 2, WIJAYA 2, SANTOSO 2"
    ),
    ("tionghoa", "f", "first"): (
        "LINDA 5, LIANA 4, MEILIANA 3, SUSANTI 4, LILY 3, JESSICA 4, MICHELLE 3, FELICIA 3,"
        " WENNY 3, YENNY 3, LANNY 3, MELISA 3, VIVIAN 3, CINDY 4, STEPHANIE 3, SRI 2, MEILANI 3,"
        " SHINTA 3, DEWI 2, LIDYA 3, NATALIA 2"
    ),
    ("tionghoa", "x", "family"): (
        "WIJAYA 8, GUNAWAN 6, HALIM 5, SALIM 5, TANOTO 3, SUSANTO 5, KUSUMA 5, SETIAWAN 5,"
        " TANUWIJAYA 3, HARTONO 4, SANTOSO 4, LIMANTO 2, TANDIONO 2, LIEM 3, TAN 4, LIM 3,"
        " CANDRA 3, SUGIANTO 3, HALIMAN 2, WIRAWAN 3, KURNIAWAN 3, SETIADI 3"
    ),
    ("timur", "m", "first"): (
        "FRANSISKUS 4, YOHANES 5, PETRUS 4, MARKUS 3, STEFANUS 3, YOSEF 4, ANTONIUS 4,"
        " MICHAEL 4, RONALD 3, RICKY 3, FERRY 3, JEFRI 3, ALEXANDER 3, ANDREAS 3, DANIEL 3,"
        " ABRAHAM 2, ANDI 4, MUHAMMAD 4, ARIFIN 2"
    ),
    ("timur", "f", "first"): (
        "MARIA 8, MAGDALENA 3, AGUSTINA 4, YOHANA 3, FRANSISKA 3, MARGARETHA 3, DEBBY 3,"
        " NATALIA 3, CHRISTINA 3, ELISABETH 3, MERRY 3, FELISITAS 2, SELVI 3, NOVITA 3, WINDY 2"
    ),
    ("timur", "x", "family"): (
        "PATTIASINA 3, LATUHERU 3, WATTIMENA 3, PESIK 2, RUMAMBI 2, LUMENTUT 2, SUMAMPOUW 2,"
        " TUMEWU 2, MANOPO 2, PELLO 2, SIWABESSY 2, TAHITU 2, RUMAGIT 2, PALAR 2, TAMBAYONG 2,"
        " KAUNANG 2, WUNGOW 2, SAHETAPY 2, LIMBONG 2, PANDIANGAN 2"
    ),
    ("modern", "m", "first"): (
        "MUHAMMAD 40, RIZKY 10, FAJAR 7, ADITYA 8, DIMAS 7, BAGUS 4, RAFI 5, ALIF 5, ARYA 6,"
        " FARHAN 6, HAIKAL 4, RAFFA 4, ZIDAN 5, DAFFA 5, ALVIN 4, KEVIN 4, RAIHAN 5, GILANG 4,"
        " RAKA 4, ANDIKA 5, REZA 5, YOGA 5, DANI 4, FIRMAN 3, DICKY 3, ILHAM 5, AHMAD 12,"
        " NAUFAL 4, AZKA 3, FATHAN 3, ARKAN 3, GALIH 3, DAVA 3, FAREL 3, RENDI 4, ANGGA 5"
    ),
    ("modern", "f", "first"): (
        "PUTRI 12, AULIA 7, NAYLA 6, AZZAHRA 5, SALSABILA 6, NABILA 7, ANISA 6, CITRA 5,"
        " DINDA 6, AYU 6, INDAH 6, AMELIA 5, ZAHRA 5, KEISHA 4, ALYA 5, SALSA 4, RAHMA 4,"
        " NUR 6, SITI 10, FITRI 5, DEWI 5, KIRANA 3, SHIFA 4, NADIA 5, TIARA 5, AISYAH 6,"
        " NAURA 4, ADINDA 4, SEKAR 3, RARA 3, INTAN 5, MAYA 4, RATNA 3, DIAN 5"
    ),
    ("modern", "m", "second"): (
        "PRATAMA 10, SAPUTRA 10, RAMADHAN 9, HIDAYAT 6, MAULANA 7, NUGRAHA 5, FADILLAH 5,"
        " AKBAR 6, SYAHPUTRA 5, ARDIANSYAH 5, KURNIAWAN 6, FIRMANSYAH 5, SETIAWAN 4,"
        " PRASETYO 4, WIJAYA 4, HERMAWAN 3, ALFARIZI 4, ARRASYID 2, ALFATIH 3, PUTRA 6,"
        " FAUZAN 3, RIZKI 3, NURDIANSYAH 3, SUGANDA 2, ADITAMA 2"
    ),
    ("modern", "f", "second"): (
        "LESTARI 6, RAMADHANI 6, PERMATA 4, SARI 7, WULANDARI 6, MAHARANI 5, PRATIWI 6,"
        " OKTAVIANI 4, NURAINI 4, FEBRIANTI 4, PUTRI 7, AZZAHRA 5, AGUSTINA 3, AMALIA 5,"
        " KHAIRUNNISA 4, SAFITRI 5, ANGGRAINI 4, HANDAYANI 3, RAHMAWATI 4, NOVITASARI 3,"
        " PUSPITA 3, MELATI 3, CAHYANI 3, ZAHIRA 3, KURNIASARI 2"
    ),
}

# Styles whose tokens existed in the old (pre-1972) spelling.
_OLD_SPELLING_STYLES = ("sunda", "betawi", "jawa", "arab", "minang")

# Spelling families: members (registered weight, variant weight). The first is canonical.
_FAMILIES: dict[str, list[list[Any]]] = tomllib.loads(
    resources.files(__package__).joinpath("name_families.toml").read_text(encoding="utf-8")
)

# Everyday short forms (domain.md §3.6, uncertain; used by programme lists filled by cadres).
_NICKNAMES: dict[str, str] = {
    "MUHAMMAD": "MAMAD",
    "AHMAD": "AMAT",
    "RAHMAT": "MAMAT",
    "ABDURRAHMAN": "MAMAN",
    "ABDULLAH": "DULLAH",
    "MUHIDIN": "UDIN",
    "SAEPUDIN": "UDIN",
    "SAMSUDIN": "UDIN",
    "HASANUDIN": "UDIN",
    "ZAINUDIN": "UDIN",
    "NURDIN": "UDIN",
    "JUBAEDAH": "EDAH",
    "ZUBAEDAH": "EDAH",
    "JULAEHA": "EHA",
    "ROHAYA": "AYA",
    "MAEMUNAH": "MUNAH",
    "KHADIJAH": "IJAH",
    "KHODIJAH": "IJAH",
    "FATIMAH": "IMAH",
    "SUPARMAN": "PARMAN",
    "SUTRISNO": "TRISNO",
    "SUGIYANTO": "GIYANTO",
    "AGUSTINA": "TINA",
    "NURHASANAH": "ANAH",
    "HERMAWAN": "WAWAN",
    "GUNAWAN": "WAWAN",
    "SETIAWAN": "IWAN",
    "KURNIAWAN": "IWAN",
    "YULIANTI": "YULI",
    "HANDAYANI": "YANI",
    "RAHAYU": "AYU",
    "ROHMAWATI": "WATI",
    "WAHYUNI": "YUNI",
    "NURHAYATI": "YATI",
    "JOHANNES": "JOHAN",
    "FRANSISKUS": "FRANS",
    "YOHANES": "ANES",
    "SLAMET": "MET",
    "SUHARTO": "HARTO",
    "SUPRIYADI": "PRI",
    "ABDUL": "DUL",
    "SITI": "ITI",
    "BAMBANG": "BAMBANG",
    "MARZUKI": "JUKI",
    "SARIPUDIN": "IPUL",
    "SYAIFUL": "IPUL",
    "SAIFUL": "IPUL",
    "ROJALI": "JALI",
    "HIDAYAT": "DAYAT",
    "DANIEL": "DANI",
    "ELISABETH": "LISA",
    "MAGDALENA": "LENA",
    "MICHAEL": "MIKE",
    "WILLIAM": "WILLY",
    "STEPHANIE": "STEFI",
    "NURAINI": "ENUR",
    "FITRIANI": "FITRI",
    "RIZKY": "IKI",
    "NABILA": "BILA",
    "SALSABILA": "CACA",
    "AISYAH": "ICA",
}

PREFIX_TITLES_MALE: tuple[str, ...] = ("H.", "DRS.", "IR.", "DR.", "R.", "KH.")
PREFIX_TITLES_FEMALE: tuple[str, ...] = ("HJ.", "DRA.", "IR.", "DR.", "R.A.")
SUFFIX_TITLES: tuple[str, ...] = (
    "S.PD.",
    "S.E.",
    "S.H.",
    "S.KOM.",
    "S.T.",
    "S.SOS.",
    "S.AG.",
    "A.MD.",
    "M.SI.",
    "M.M.",
    "S.PD.I",
    "S.IP.",
    "M.PD.",
    "S.KEP.",
)
SUFFIX_WEIGHTS: tuple[float, ...] = (16, 14, 8, 8, 8, 6, 5, 10, 3, 4, 6, 3, 3, 6)
ADDRESS_WORDS: tuple[str, ...] = ("BPK.", "IBU", "ALM.", "ALMH.", "BIN", "BINTI")


def _parse_pool(text: str) -> list[tuple[str, float]]:
    entries = []
    for item in text.replace("\n", " ").split(","):
        item = item.strip()
        if not item:
            continue
        token, _, weight = item.rpartition(" ")
        if float(weight) > 0 and " " not in token:
            entries.append((token, float(weight)))
    return entries


def to_old_spelling(token: str) -> str:
    """Spell an upper-case name token in the pre-1972 (Van Ophuijsen/Soewandi) way.

    Rules (domain.md §3.3, inverted): kh->ch, sy->sj, ny->nj, c->tj, j->dj, y->j, u->oe.
    Sundanese "eu" is a vowel, so tokens containing it keep their ``u``.

    >>> to_old_spelling("SUPARMAN"), to_old_spelling("JOKO"), to_old_spelling("CAHYO")
    ('SOEPARMAN', 'DJOKO', 'TJAHJO')
    >>> to_old_spelling("YUSUF"), to_old_spelling("SYARIF"), to_old_spelling("EUIS")
    ('JOESOEF', 'SJARIF', 'EUIS')
    """
    keep_u = "EU" in token
    out: list[str] = []
    i = 0
    while i < len(token):
        pair = token[i : i + 2]
        char = token[i]
        if pair in ("KH", "SY", "NY"):
            out.append({"KH": "CH", "SY": "SJ", "NY": "NJ"}[pair])
            i += 2
            continue
        if char == "C":
            out.append("TJ")
        elif char == "J":
            out.append("DJ")
        elif char == "Y":
            out.append("J")
        elif char == "U" and not keep_u:
            out.append("OE")
        else:
            out.append(char)
        i += 1
    return "".join(out)


IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class NameVocab:
    """Every name token, title and address word, with the lookup tables the error model uses.

    All tables are indexed by token id. ``-1`` means "none".
    """

    tokens: tuple[str, ...]
    pools: dict[tuple[str, str, str], tuple[IntArray, FloatArray]]
    old_alt: IntArray  # modern <-> old spelling partner (itself when none)
    old_form: npt.NDArray[np.bool_]  # the token is the old-spelling member of a pair
    nickname: IntArray  # everyday short form, or -1
    initial: IntArray  # token of the first letter ("TRI" -> "T")
    family: IntArray  # spelling-family number (muhammad, ahmad, abdul, siti) or -1
    abbreviation: npt.NDArray[np.bool_]  # short spellings: "M.", "MUH.", "ABD", "ST."
    family_members: tuple[IntArray, ...]
    family_registered_p: tuple[FloatArray, ...]
    family_variant_p: tuple[FloatArray, ...]
    prefix_male: IntArray
    prefix_female: IntArray
    suffix: IntArray
    suffix_p: FloatArray

    def id(self, token: str) -> int:
        """The id of one token (raises KeyError when unknown)."""
        return _index(self.tokens)[token]

    @property
    def size(self) -> int:
        return len(self.tokens)


@cache
def _index(tokens: tuple[str, ...]) -> dict[str, int]:
    return {t: i for i, t in enumerate(tokens)}


@cache
def load_vocab() -> NameVocab:
    """Build the vocabulary and lookup tables (cached; a few thousand tokens)."""
    parsed = {key: _parse_pool(text) for key, text in _POOLS.items()}
    words: set[str] = set()
    for entries in parsed.values():
        words.update(t for t, _ in entries)
    old_pairs: dict[str, str] = {}
    for (style, _, _), entries in parsed.items():
        if style in _OLD_SPELLING_STYLES:
            for token, _ in entries:
                old = to_old_spelling(token)
                if old != token:
                    old_pairs[token] = old
    for members in _FAMILIES.values():
        words.update(m for m, _, _ in members)
        head = members[0][0]
        if head not in old_pairs and to_old_spelling(head) != head:
            old_pairs[head] = to_old_spelling(head)
    words.update(old_pairs.values())
    words.update(_NICKNAMES.values())
    words.update(PREFIX_TITLES_MALE, PREFIX_TITLES_FEMALE, SUFFIX_TITLES, ADDRESS_WORDS)
    words.update(chr(c) for c in range(ord("A"), ord("Z") + 1))
    tokens = tuple(sorted(words))
    index = {t: i for i, t in enumerate(tokens)}
    n = len(tokens)

    old_alt = np.arange(n, dtype=np.int32)
    for modern, old in old_pairs.items():
        # a token that is both some name's old form and a modern name keeps its first pairing
        if old_alt[index[modern]] == index[modern] and old_alt[index[old]] == index[old]:
            old_alt[index[modern]] = index[old]
            old_alt[index[old]] = index[modern]
    old_form = np.zeros(n, dtype=np.bool_)
    for modern, old in old_pairs.items():
        if old_alt[index[modern]] == index[old]:
            old_form[index[old]] = True
    nickname = np.full(n, -1, dtype=np.int32)
    for full, short in _NICKNAMES.items():
        if full in index and short != full:
            nickname[index[full]] = index[short]
    initial = np.array([index[t[0]] for t in tokens], dtype=np.int32)
    abbreviation = np.array([t.endswith(".") or t == "ABD" for t in tokens], dtype=np.bool_)
    family = np.full(n, -1, dtype=np.int32)
    members_l: list[IntArray] = []
    registered_l: list[FloatArray] = []
    variant_l: list[FloatArray] = []
    for number, members in enumerate(_FAMILIES.values()):
        ids = np.array([index[m] for m, _, _ in members], dtype=np.int32)
        family[ids] = number
        members_l.append(ids)
        reg = np.array([r for _, r, _ in members], dtype=np.float64)
        var = np.array([v for _, _, v in members], dtype=np.float64)
        registered_l.append(reg / reg.sum())
        variant_l.append(var / var.sum())
    pools: dict[tuple[str, str, str], tuple[IntArray, FloatArray]] = {}
    for key, entries in parsed.items():
        ids = np.array([index[t] for t, _ in entries], dtype=np.int32)
        weights = np.array([w for _, w in entries], dtype=np.float64)
        pools[key] = (ids, weights / weights.sum())
    suffix_w = np.array(SUFFIX_WEIGHTS, dtype=np.float64)
    return NameVocab(
        tokens=tokens,
        pools=pools,
        old_alt=old_alt,
        old_form=old_form,
        nickname=nickname,
        initial=initial,
        family=family,
        abbreviation=abbreviation,
        family_members=tuple(members_l),
        family_registered_p=tuple(registered_l),
        family_variant_p=tuple(variant_l),
        prefix_male=np.array([index[t] for t in PREFIX_TITLES_MALE], dtype=np.int32),
        prefix_female=np.array([index[t] for t in PREFIX_TITLES_FEMALE], dtype=np.int32),
        suffix=np.array([index[t] for t in SUFFIX_TITLES], dtype=np.int32),
        suffix_p=suffix_w / suffix_w.sum(),
    )

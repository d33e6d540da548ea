# ruff: noqa: E501  (the template below is verbatim data)
"""The printed invoice of action invoice.html: the stock ``invoice.tpl`` as the real server fills it."""

from __future__ import annotations

import html as _html
import re
from typing import Any

from ...php import empty, floatval, intval, php_round, strval
from ...store import Row
from ...wire import Call
from .common import table
from .invoice_money import company_nalog, num_format, spec_nalog
from .record import cut_date, recv_slots

MONTHS = [
    "Января",
    "Февраля",
    "Марта",
    "Апреля",
    "Мая",
    "Июня",
    "Июля",
    "Августа",
    "Сентября",
    "Октября",
    "Ноября",
    "Декабря",
]

ROW = (
    '<tr class="small">\n\t\t\t<td width="20" align="center" class="bt br bb bl">@@N@@</td>\n'
    '\t\t\t<td align="left" valign="middle" class="bb br">\n'
    '\t\t\t\t<div style="display: block; width:96%;"><b>@@TITLE@@</b></div>\n\t\t\t\t<em>@@COMMENT@@</em>\n\t\t\t</td>\n'
    '\t\t\t<td width="50" align="right" valign="middle" class="bb br">@@KOL@@</td>\n'
    '\t\t\t<td width="30" align="center" valign="middle" class="bb br">@@EDIZM@@</td>\n'
    '\t\t\t<td width="60" align="right" valign="middle" class="bb br">@@PRICE@@</td>\n'
    "@@NALOG@@"
    '\t\t\t<td width="80" align="right" valign="middle" class="bb br w80">@@SUM@@</td>\n\t\t</tr>\n'
)

NALOG_CELL = '\t\t\t<td width="60" align="right" valign="middle" class="bb br">@@V@@</td>\n'
NDS_HEAD = '\t\t\t<td width="60" align="center" valign="middle" bgcolor="#E9E9E9" class="bt bb br">НДС</td>\n'

TEMPLATE = (
    "<!--Базовый шаблон-->\n"
    "<!DOCTYPE html>\n"
    '<html lang="ru">\n'
    "<head>\n"
    '\t<meta http-equiv="content-type" content="text/html; charset=utf-8"/>\n'
    "\t<title>Счет</title>\n"
    '\t<style type="text/css">\n'
    "\t\t<!--\n"
    '\t\t@import url("/assets/font/ptsansweb/stylesheet.css");\n'
    "\t\tbody {\n"
    "\t\t\tfont-size          : 14px;\n"
    "\t\t\tfont-family        : 'PT Sans', arial, tahoma, sans-serif;\n"
    "\t\t\tbackground-color   : #FFF;\n"
    "\t\t\tcolor              : #000000;\n"
    "\t\t\tbox-shadow         : 0 1px 1px #999;\n"
    "\t\t\t-webkit-box-shadow : 0 1px 1px #999;\n"
    "\t\t\t-moz-box-shadow    : 0 1px 1px #999;\n"
    "\t\t\twidth              : 21cm;\n"
    "\t\t\theight             : 29.7cm;\n"
    "\t\t\tmargin             : 0 auto;\n"
    "\t\t\tpadding            : 20px 40px 20px 60px;\n"
    "\t\t}\n"
    "\t\thtml {\n"
    "\t\t\tbackground : #CCCCCC;\n"
    "\t\t\tpadding    : 10px;\n"
    "\t\t}\n"
    "\t\ttable, td {\n"
    "\t\t\tborder-collapse : collapse;\n"
    "\t\t\tpadding         : 2px;\n"
    "\t\t\tfont-size       : 12px;\n"
    "\t\t}\n"
    "\t\t.small td, .small tr {\n"
    "\t\t\tfont-size : 12px;\n"
    "\t\t}\n"
    "\t\t.bt {\n"
    "\t\t\tborder-top : 1px solid #333;\n"
    "\t\t}\n"
    "\t\t.bb {\n"
    "\t\t\tborder-bottom : 1px solid #333;\n"
    "\t\t}\n"
    "\t\t.br {\n"
    "\t\t\tborder-right : 1px solid #333;\n"
    "\t\t}\n"
    "\t\t.bl {\n"
    "\t\t\tborder-left : 1px solid #333;\n"
    "\t\t}\n"
    "\t\th1 {\n"
    "\t\t\tfont-size   : 22px;\n"
    "\t\t\tline-height : 135%;\n"
    "\t\t}\n"
    "\t\th2 {\n"
    "\t\t\tfont-size   : 16px;\n"
    "\t\t\tline-height : 115%;\n"
    "\t\t}\n"
    "\t\t.pad1 {\n"
    "\t\t\tmargin : 40px 20px 20px 40px;\n"
    "\t\t}\n"
    "\t\t.pull {\n"
    "\t\t\ttext-align : justify;\n"
    "\t\t}\n"
    "\t\t.w193 {\n"
    "\t\t\twidth : 100%;\n"
    "\t\t}\n"
    "\t\t.w176 {\n"
    "\t\t\twidth : 95%;\n"
    "\t\t}\n"
    "\n"
    "\t\t.w60 {\n"
    "\t\t\twidth : 90px;\n"
    "\t\t}\n"
    "\t\t@media print {\n"
    "\t\t\tbody {\n"
    "\t\t\t\tfont-size          : 14px;\n"
    "\t\t\t\tbackground         : #FFFFFF;\n"
    "\t\t\t\tpadding            : 0;\n"
    "\t\t\t\tmargin             : 0 20px 20px 20px;\n"
    "\t\t\t\twidth              : auto;\n"
    "\t\t\t\theight             : auto;\n"
    "\t\t\t\tbox-shadow         : 0 0 0 #FFFFFF;\n"
    "\t\t\t\t-moz-box-shadow    : 0 0 0 #FFFFFF;\n"
    "\t\t\t\t-webkit-box-shadow : 0 0 0 #FFFFFF;\n"
    "\t\t\t}\n"
    "\n"
    "\t\t\thtml {\n"
    "\t\t\t\tbackground : #FFFFFF;\n"
    "\t\t\t\tpadding    : 0;\n"
    "\t\t\t}\n"
    "\n"
    "\t\t\t.w193 {\n"
    "\t\t\t\twidth : 100%;\n"
    "\t\t\t}\n"
    "\n"
    "\t\t\t.w176 {\n"
    "\t\t\t\twidth : 100%;\n"
    "\t\t\t}\n"
    "\n"
    "\t\t\t.pad1 {\n"
    "\t\t\t\tpadding : 0;\n"
    "\t\t\t}\n"
    "\t\t}\n"
    "\t\t-->\n"
    "\t</style>\n"
    "</head>\n"
    "<body>\n"
    "\n"
    '<div style="margin:0 auto;" class="w176">\n'
    "\n"
    '\t<div class="print"></div>\n'
    "\n"
    '\t<table width="100%" border="0" cellpadding="0" cellspacing="0">\n'
    "\t\t<tr>\n"
    "\t\t\t<td><strong>@@COMP_NAME@@</strong></td>\n"
    '\t\t\t<td width="190" align="right">\n'
    '\t\t\t\t<div style="position:relative">\n'
    '\t\t\t\t\t<div style="position: absolute; z-index: 10; width: 167px; height: 31px; top:0; right:0">\n'
    '\t\t\t\t\t\t<img src="@@BASE@@//cash/templates/logo.png" style="max-width:180px; max-height:30px; float:right; height:30px">\n'
    "\t\t\t\t\t</div>\n"
    "\t\t\t\t</div>\n"
    "\t\t\t</td>\n"
    "\t\t</tr>\n"
    "\t</table>\n"
    "\n"
    "\t<br>\n"
    "\n"
    '\t<p style="font-size:8pt;color:black; margin-bottom:0;">Образец заполнения платежного поручения</p>\n'
    "\n"
    '\t<table border="0" cellspacing="0" cellpadding="3" width="100%">\n'
    "\t\t<tr>\n"
    '\t\t\t<td colspan="4" rowspan="2" valign="top" class="bt br bl bbn"><b>@@BANK_NAME@@</b></td>\n'
    '\t\t\t<td width="60" class="bt br bb">БИК</td>\n'
    '\t\t\t<td width="130" class="bt br bl">@@BIK@@</td>\n'
    "\t\t</tr>\n"
    "\t\t<tr>\n"
    '\t\t\t<td class="br">Сч. №</td>\n'
    '\t\t\t<td class="br">@@KS@@</td>\n'
    "\t\t</tr>\n"
    "\t\t<tr>\n"
    '\t\t\t<td colspan="4" class="bb br bl">Банк получателя</td>\n'
    '\t\t\t<td class="bb br"></td>\n'
    '\t\t\t<td class="bb br"></td>\n'
    "\t\t</tr>\n"
    "\t\t<tr>\n"
    '\t\t\t<td width="30" class="bb br bl">ИНН</td>\n'
    '\t\t\t<td width="120" class="bb br">@@INN@@</td>\n'
    '\t\t\t<td width="30" class="bb br">КПП</td>\n'
    '\t\t\t<td class="bb br">@@KPP@@</td>\n'
    '\t\t\t<td width="60" class="br">Сч. №</td>\n'
    '\t\t\t<td class="br">@@RS@@</td>\n'
    "\t\t</tr>\n"
    "\t\t<tr>\n"
    '\t\t\t<td colspan="4" class="br bl">@@COMP_NAME@@</td>\n'
    '\t\t\t<td class="br"></td>\n'
    '\t\t\t<td class="br"></td>\n'
    "\t\t</tr>\n"
    "\t\t<tr>\n"
    '\t\t\t<td colspan="4" class="bb br bl"><span style="font-size:8pt">Получатель</span></td>\n'
    '\t\t\t<td class="bb br"></td>\n'
    '\t\t\t<td class="bb br"></td>\n'
    "\t\t</tr>\n"
    "\t</table>\n"
    "\n"
    '\t<div align="center" style="text-align:center"><h1>Счет @@OFFER@@ №@@NUMBER@@ от @@DATE@@ г.</h1></div>\n'
    "\n"
    '\t<table width="100%" border="0" cellpadding="0" cellspacing="0">\n'
    "\t\t<tr>\n"
    '\t\t\t<td width="60" class="pad1">Поставщик:</td>\n'
    '\t\t\t<td class="pad1">@@COMP_NAME@@</td>\n'
    "\t\t</tr>\n"
    "\t\t<tr>\n"
    '\t\t\t<td class="pad1">Покупатель:</td>\n'
    '\t\t\t<td class="pad1">\n'
    "\t\t\t\t@@BUYER@@\n"
    "\t\t\t</td>\n"
    "\t\t</tr>\n"
    "\t</table>\n"
    "\n"
    "\t<br>\n"
    "\n"
    '\t<table width="100%" border="0" cellpadding="4" cellspacing="0">\n'
    "\t\t<tr>\n"
    '\t\t\t<td width="20" align="center" valign="middle" bgcolor="#E9E9E9" style="height:18pt" class="bt br bb bl">№</td>\n'
    '\t\t\t<td align="center" valign="middle" bgcolor="#E9E9E9" class="bt bb br">Товары (работы, услуги)</td>\n'
    '\t\t\t<td width="50" align="center" valign="middle" bgcolor="#E9E9E9" class="bt bb br">Кол.</td>\n'
    '\t\t\t<td width="30" align="center" valign="middle" bgcolor="#E9E9E9" class="bt bb br">Ед.</td>\n'
    '\t\t\t<td width="60" align="center" valign="middle" bgcolor="#E9E9E9" class="bt bb br">Цена</td>\n'
    "@@NDS_HEAD@@"
    '\t\t\t<td width="80" align="center" valign="middle" bgcolor="#E9E9E9" class="bt bb br w80">Сумма</td>\n'
    "\t\t</tr>\n"
    "@@ROWS@@\t\t<tr>\n"
    '\t\t<td colspan="3"></td>\n@@NDS_PAD@@'
    '\t\t<td width="120" colspan="2" class="br" align="right">Итого:</td>\n'
    '\t\t<td width="70" align="right" class="bb br" style="height:14px">@@TOTAL@@</td>\n'
    "\t  </tr>\n"
    "\t  <tr>\n"
    '\t\t<td colspan="3"></td>\n@@NDS_PAD@@'
    '\t\t<td width="120" colspan="2" align="right" class="br" style="height:14px">В том числе НДС:</td>\n'
    '\t\t<td width="70" align="right" class="bb br" style="height:14px">@@NDS@@</td>\n'
    "\t  </tr>\n"
    "\t  <tr>\n"
    '\t\t<td colspan="3"></td>\n@@NDS_PAD@@'
    '\t\t<td width="120" colspan="2" align="right" class="br" style="height:14px">Всего к оплате:\xa0\xa0</td>\n'
    '\t\t<td width="70" align="right" class="bb br"><b>@@TOTAL@@</b></td>\n'
    "\t  </tr>\n"
    "\t</table>\n"
    "\n"
    "\t<br>\n"
    "\t<br>\n"
    "\n"
    '\t<p style="margin-top:5px;">\n'
    "\t\tВсего к оплате: \xa0\xa0\xa0<b> @@WORDS@@</b>\n"
    "\t</p>\n"
    "\n"
    '\t<hr size="2" width="100%" noshade style="color:black;margin:0" align="center">\n'
    "\n"
    "\t<br>\n"
    "\t<br>\n"
    "\t<br>\n"
    "\n"
    '\t<table width="100%" border="0" cellpadding="0" cellspacing="0" style="border-collapse:collapse">\n'
    "\t\t<tr>\n"
    '\t\t\t<td width="80" valign="top">Поставщик</td>\n'
    '\t\t\t<td align="center" class="bb">@@DIR_STATUS@@</td>\n'
    '\t\t\t<td width="161" valign="top" class="bb">\n'
    "@@SIGNATURE@@"
    "\t\t\t</td>\n"
    '\t\t\t<td width="19" valign="top"></td>\n'
    '\t\t\t<td width="120" align="center" class="bb">\n'
    "\t\t\t\t@@DIR_SIGN@@\n"
    "\t\t\t</td>\n"
    "\t\t</tr>\n"
    "\t\t<tr>\n"
    '\t\t\t<td valign="top"></td>\n'
    '\t\t\t<td align="center" valign="top"><span style="font-size:10px">должность</span></td>\n'
    '\t\t\t<td align="center" valign="top"><span style="font-size:10px">подпись</span></td>\n'
    '\t\t\t<td width="19" valign="top"></td>\n'
    '\t\t\t<td align="center" valign="top"><span style="font-size:10px">расшифровка подписи</span></td>\n'
    "\t\t</tr>\n"
    "\t</table>\n"
    "\n"
    "\t<br>\n"
    "\n"
    '\t<div style="width: 100%; display: block">\n'
    "\t\t\n"
    "\t</div>\n"
    "\n"
    "</div>\n"
    "\n"
    "</body>\n"
    "</html>"
)

# real server: cash/valuta.json and requisites.json (valutaTrans, valutaTransSub), "милиарда" as shipped
_TEN = [["", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"],
        ["", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]]  # fmt: skip
_A20 = ["десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать",
        "семнадцать", "восемнадцать", "девятнадцать"]  # fmt: skip
_TENS = ["", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"]
_HUNDRED = ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"]
_UNITS = [("копейка", "копейки", "копеек", 1), ("рубль", "рубля", "рублей", 0), ("тысяча", "тысячи", "тысяч", 1),
          ("миллион", "миллиона", "миллионов", 0), ("миллиард", "милиарда", "миллиардов", 0)]  # fmt: skip


def _morph(n: Any, f1: str, f2: str, f5: str) -> str:
    """``morph()`` (inc/func.php): the word form for a count."""
    n = abs(intval(n)) % 100
    if 10 < n < 20:
        return f5
    n %= 10
    return f2 if 1 < n < 5 else f1 if n == 1 else f5


def _digit(piece: str, i: int) -> int | None:
    return int(piece[i]) if i < len(piece) else None  # PHP: a missing $fkf[i] is null (a warning, not shown)


def sum_in_words(value: float) -> str:
    """``num2str()`` (inc/func.php), line by line: ``Сто тысяч рублей 00 копеек``.

    real server: the rubles are split into threes from the left of sprintf('%015.2f'), so past 12 digits the
    triads shift ("Сто миллиардов" for 1e12) and a short last piece reads as hundreds (scenario 115)
    """
    rub, _, kop = f"{value:015.2f}".partition(".")
    out: list[str] = []
    if intval(rub) > 0:
        for index in range(0, len(rub), 3):
            piece = rub[index : index + 3]
            if not intval(piece):
                continue
            uk = len(_UNITS) - index // 3 - 1
            unit = _UNITS[uk] if 0 <= uk < len(_UNITS) else None  # PHP: a key past the list is null
            gender = unit[3] if unit else None
            i1, i2, i3 = _digit(piece, 0), _digit(piece, 1), _digit(piece, 2)
            out.append(_HUNDRED[i1 or 0])
            ones = _TEN[gender][i3 or 0] if gender is not None and i3 is not None else ""
            if i2 is not None and i2 > 1:
                out.append(f"{_TENS[i2]} {ones}")
            else:
                out.append((_A20[i3] if i3 is not None else "") if i2 else ones)
            if unit and uk > 1:
                out.append(_morph(piece, *unit[:3]))
    else:
        out.append("ноль")
    out.append(_morph(rub, *_UNITS[1][:3]))
    out.append(f"{kop} {_morph(kop, *_UNITS[0][:3])}")
    text = re.sub(" {2,}", " ", " ".join(out)).strip()
    # real server: InvoiceSummaPropis is " ".mb_ucfirst(trim(num2str(...)))
    return text[:1].upper() + text[1:]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else strval(value)


def _buyer(call: Call, clid: Any) -> str:
    client = table(call, "clientcat", "clid").get(clid)
    slots = recv_slots(client)
    # real server: an empty legal name falls back to castName, the client's title (get_client_recv)
    name = (slots[0] if slots else "") or (strval(client.get("title")) if client else "")
    name = name.replace("”", '"')  # real server: ” becomes " before Mustache escapes the tag
    inn = slots[1] if len(slots) > 1 else ""
    kpp = slots[2] if len(slots) > 2 else ""
    return f"<b>{_esc(name)}</b>;\xa0<b>ИНН: {_esc(inn)}</b>;\xa0<b>КПП: {_esc(kpp)}</b>"


def _esc(value: Any) -> str:
    """Mustache's ``{{tag}}`` escaping (htmlspecialchars with ENT_QUOTES)."""
    return _html.escape(strval(value), quote=True).replace("&#x27;", "&#039;")


def signer_info(call: Call, sid: Any) -> dict[str, Any]:
    """``getSigner($id)``: the signer row, or zeros and nulls when it does not exist."""
    r = table(call, "mycomps_signer").get(intval(sid)) or {}
    out: dict[str, Any] = {"id": intval(r.get("id")), "mcid": intval(r.get("mcid"))}
    out.update({k: r.get(k) for k in ("title", "status", "signature", "osnovanie", "stamp")})
    return out


#: the stamp and signature image of invoice.tpl's {{^noSignature}} block
SIGNATURE = (
    '\t\t\t\t<div style="position:relative">\n'
    '\t\t\t\t\t<div style="position: absolute; z-index: 10; margin-top: 2px; width: 167px; height: 165px; top: -100px; left: 9px;">\n'
    '\t\t\t\t\t\t<img src="@@BASE@@//cash/templates/@@STAMP@@" width="180">\n'
    "\t\t\t\t\t</div>\n"
    "\t\t\t\t</div>\n"
)


def _company_tags(call: Call, row: Row) -> dict[str, str]:
    """Supplier tags of Invoice::getInvoice(): the invoice's bank account and its own company."""
    account = table(call, "mycomps_recv").get(intval(row.get("rs"))) or {}
    company = table(call, "mycomps").get(intval(account.get("cid"))) or {}
    bank = (strval(account.get("bankr")).split(";") + ["", "", ""])[:3]
    innkpp = (strval(company.get("innkpp")).split(";") + ["", ""])[:2]
    status, signature, stamp = company.get("dir_status"), company.get("dir_signature"), company.get("stamp")
    stamp = strval(stamp) or "signature.png"
    if intval(row.get("signer")) > 0:
        # real server: a chosen signer replaces the director and the stamp file, even an unknown one
        signer = signer_info(call, row.get("signer"))
        status, signature, stamp = signer["status"], signer["signature"], strval(signer["stamp"])
    return {
        # real server: ” becomes " in the company name, then Mustache escapes it (&quot;)
        "COMP_NAME": _esc(strval(company.get("name_ur")).replace("”", '"')),
        "BANK_NAME": _esc(bank[2] or "-"),
        "BIK": _esc(bank[0] or "-"),
        "KS": _esc(bank[1] or "-"),
        "RS": _esc(account.get("rs")),
        "INN": _esc(innkpp[0] or "-"),
        "KPP": _esc(innkpp[1] or "-"),
        "DIR_STATUS": _esc(status),
        "DIR_SIGN": _esc(signature),
        "STAMP": stamp,
    }


STAMP_BLOCK = (
    '\t\t\t\t<div style="position:relative">\n'
    '\t\t\t\t\t<div style="position: absolute; z-index: 10; margin-top: 2px; width: 167px; height: 165px; top: -100px; left: 9px;">\n'
    '\t\t\t\t\t\t<img src="@@BASE@@//cash/templates/@@STAMP@@" width="180">\n'
    "\t\t\t\t\t</div>\n"
    "\t\t\t\t</div>\n"
)


#: invoice_first.htm / invoice_last.htm of cash/templates ({dog_num} is the contract number)
_PAYMENT_TITLES = {
    "Предварительная оплата": "Предварительная оплата по договору {dog_num}",
    "Окончательная оплата": "Окончательная оплата по договору {dog_num}",
}


def _single_line(row: Row, tip: str, rate: float) -> tuple[dict[str, str], float] | None:
    """The one printed line of a 'По договору' / prepayment / final payment invoice and its VAT (or None)."""
    total = floatval(row.get("summa_credit"))
    # real server: only 'По договору' keeps the invoice's contract number; the others read the deal's
    # contract (none for API deals)
    chek = strval(row.get("invoice_chek")) if tip == "По договору" else ""
    if tip == "По договору":
        vat = total * rate / (100 + rate) if rate > 0 else 0.0  # getNalog($sum, $nalog, ndsInOut off)
        title, edizm, nalog = f"Оплата по договору №{chek}", "", num_format(php_round(vat, 2))
    elif tip in _PAYMENT_TITLES:
        vat = floatval(row.get("nds_credit"))
        title, edizm = _PAYMENT_TITLES[tip].replace("{dog_num}", chek), "-"
        nalog = f"{vat:.2f}"  # real server: "Nalog" => $nds, the DOUBLE(20,2) column as MySQL prints it
    else:
        return None
    values = {"N": "1", "TITLE": _esc(title), "COMMENT": "", "KOL": "-", "EDIZM": edizm,
              "PRICE": num_format(total), "SUM": num_format(total), "NALOG": nalog}  # fmt: skip
    return values, vat


def render_invoice(call: Call, row: Row, base_url: str, nosignat: bool = False) -> str:
    """The invoice page, HTML-escaped as the API sends it (``htmlspecialchars``).

    ``nosignat``: the request's own parameter; Invoice::getInvoice() then leaves the stamp out.
    """
    deal = table(call, "dogovor", "did").get(row.get("did")) or {}
    items = sorted(
        table(call, "speca", "spid").where(lambda r: intval(r.get("did")) == intval(row.get("did"))),
        key=lambda r: r["spid"],
    )
    account = table(call, "mycomps_recv").get(intval(row.get("rs"))) or {}
    # real server: the VAT rate comes from the invoice's bank account (getNalogScheme($rs)), and none is
    # shown when the deal's own company charges none (Speka::getNalog)
    rate = floatval(account.get("ndsDefault"))
    # real server: the specification's VAT (getSpekaData($did, $rs)) falls back to the deal's company when
    # the invoice has no account, while the printed rows use getNalogScheme($rs) alone: such an invoice
    # shows the VAT column with 0,00 rows and "Не облагается" (Invoice::getInvoice; found by mockcrm diff)
    spec_rate = rate if intval(row.get("rs")) > 0 else company_nalog(call, intval(deal.get("mcid")))
    deal_vat = spec_nalog(call, deal)[0] if deal else 0.0
    lines, total, nds = [], 0.0, 0.0
    for n, item in enumerate(items, 1):
        if strval(item.get("tip")) == "2":
            continue  # real server: materials are not printed, but keep their row number (Speka::getSpekaData)
        qty = float(item["kol"]) * float(item.get("dop") or 1)
        line = float(item["price"]) * qty
        # real server: the row shows the VAT of one unit, the total multiplies it by the quantity
        vat = float(item["price"]) * (1 - 1 / (1 + floatval(item.get("nds")) / 100)) if spec_rate > 0 else 0.0
        total += line
        nds += vat * qty
        lines.append((n, item, line, vat))
    tip = strval(row.get("tip"))
    single = _single_line(row, tip, rate)
    if single is not None:
        # real server: these invoice types print one line for the invoice sum instead of the specification
        values, nds = single
        total = floatval(row.get("summa_credit"))
    if deal_vat == 0:
        nds = 0.0
    show_vat = nds != 0
    rows = []
    if single is not None:
        nalog = values.pop("NALOG")
        values["NALOG"] = NALOG_CELL.replace("@@V@@", nalog) if show_vat else ""
        text = ROW
        for key, value in values.items():
            text = text.replace(f"@@{key}@@", value)
        rows.append(text)
    for n, item, line, vat in lines if single is None else []:
        # real server: every {{tag}} of the template is escaped by Mustache, on top of the page's own escape
        values = {"N": str(n), "TITLE": _esc(item.get("title")), "COMMENT": _esc(item.get("comments")),
                  "KOL": _num(float(item["kol"])), "EDIZM": _esc(item.get("edizm")),
                  "PRICE": num_format(float(item["price"])), "SUM": num_format(line),
                  "NALOG": (NALOG_CELL.replace("@@V@@", num_format(vat) if rate > 0 else "0,00") if show_vat else "")}  # fmt: skip
        text = ROW
        for key, value in values.items():
            text = text.replace(f"@@{key}@@", value)
        rows.append(text)
    # real server: InvoiceDate is format_date_rus_name(cut_date($datum)): mktime() rebuilds the date, so the
    # zero date of an impossible one ("2031-02-30") prints "30 Ноября 1999" (found by mockcrm diff, seed 2000786);
    # the day keeps its leading zero ("01 Июля 2031")
    date = cut_date(row.get("datum"))
    words = f"{date[8:10]} {MONTHS[int(date[5:7]) - 1]} {date[:4]}" if len(date) == 10 else date
    # real server: `!$nosignat && stamp != ''` ? stamp : '' and the template drops its {{#stamp}} block
    page = TEMPLATE.replace(STAMP_BLOCK, "") if nosignat else TEMPLATE
    for key, value in {
        "ROWS": "\t\t" + "\t\t\t\t".join(rows),
        # real server: $tags['offer'] is only set for the type 'Счет-договор' (Invoice::getInvoice)
        "OFFER": "(договор-оферта)" if tip == "Счет-договор" else "",
        "NUMBER": _esc(row.get("invoice")),
        "DATE": words,
        "BUYER": _buyer(call, deal.get("payer") or row.get("clid")),
        "TOTAL": num_format(total),
        "NDS": num_format(php_round(nds, 2)) if show_vat and rate > 0 else "Не облагается",
        "WORDS": sum_in_words(total),
        "NDS_HEAD": NDS_HEAD if show_vat else "",
        "NDS_PAD": "\t\t<td></td>\n" if show_vat else "",
        # real server: a true nosignat drops the stamp and signature block (Invoice::getInvoice, invoice.tpl)
        "SIGNATURE": SIGNATURE if empty(call.params.get("nosignat")) else "",
        **_company_tags(call, row),
        "BASE": base_url,
    }.items():
        page = page.replace(f"@@{key}@@", value)
    return _html.escape(page, quote=True).replace("&#x27;", "&#039;")

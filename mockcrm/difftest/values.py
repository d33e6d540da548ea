"""Plausible values and odd ones, drawn from one ``random.Random``.

The directory names are those of a fresh install (fixtures/fresh-install.json); the odd values are
what integrations really send: other JSON types, blanks, text past every column width of
``_install/db/setup.sql`` (varchar(255) titles, varchar(250) e-mails, text ...), Cyrillic, emoji,
quotes, HTML, backslashes, line breaks, odd dates and numbers.
"""

from __future__ import annotations

import random
from typing import Any

STEPS = ["0", "20", "40", "60", "80", "90", "100"]
STEP_IDS = [10, 2, 11, 5, 6, 7, 8]
CLOSE_STATUSES = [
    "Победа полная",
    "Проигрыш по цене",
    "Отменена Заказчиком",
    "Отказ от участия",
    "Закрыл менеджер. Отказ",
]
DEAL_TYPES = ["Продажа простая", "Продажа с разработкой", "Услуги", "Тендер", "Продажа быстрая"]
DIRECTIONS = ["Основное"]
ACTIVITIES = ["Первичный звонок", "Встреча", "Задача", "Предложение", "Событие", "исх.Почта", "вх.Звонок"]
CLIENTPATHS = ["Личные связи", "Маркетинг", "Заказ с сайта", "Рекомендации клиентов"]
TERRITORIES = ["Пермь", "Тюмень", "Челябинск", "Москва"]
RELATIONS = ["0 - Не работаем", "1 - Холодный клиент", "3 - Текущий клиент", "4 - Постоянный клиент"]
LOYALTY = ["3 - Лояльный", "0 - Не лояльный", "4 - Очень Лояльный", "5 - ВиП"]
CLIENT_TYPES = ["client", "person", "partner", "contractor", "concurent"]
ROLES = ["Менеджер продаж", "Руководитель отдела", "Специалист", "Поддержка продаж"]

COMPANIES = ["ООО Ромашка", "АО «Уралхиммаш»", "ИП Сидоров А. В.", "ЗАО Вектор Плюс", "ООО Гамма", "ПАО Северсталь"]
PEOPLE = ["Петров Петр Петрович", "Сидорова Анна Викторовна", "Волков Дмитрий", "Кузнецов Олег Игоревич"]
POSTS = ["Директор", "Главный бухгалтер", "Менеджер по закупкам", "Инженер"]
DEALS = ["Поставка серверов", "Аудит бухгалтерии", "Монтаж оборудования", "Поставка насосов"]
GOODS = [("Упаковочная линия УЛ-500", "UL-500", "шт."), ("Комплект ЗИП", "ZIP-500", "компл."), ("Монтаж", "", "усл.")]
TEXTS = ["Позвонить по договору", "Отправили КП", "Уточнить объемы", "Встреча в офисе клиента"]

ODD_STRINGS = [
    "",
    " ",
    "   \t  ",
    "Я" * 300,
    "x" * 256,
    "9" * 40,
    "Тест Кириллица Ёё",
    "😀 эмодзи 🚀",
    'O\'Reilly "Ромашка"',
    "<b>жирный</b> &amp; <script>alert(1)</script>",
    "C:\\path\\to\\file \\n",
    "строка 1\nстрока 2\r\nстрока 3",
    "  пробелы по краям  ",
    "null",
    "0",
]
ODD_DATES = [
    "2031-02-30",
    "31.12.2031",
    "2031-13-01",
    "0000-00-00",
    "tomorrow",
    "2031-1-5",
    "1969-12-31",
    "9999-12-31 23:59:59",
    "2031-06-30T10:00:00",
    "",
]
ODD_NUMBERS = ["1,5", "-100", "1e5", "99999999999999999999", "0.125", "12 345,67", "NaN", "0x1A", " 42 ", "1.999"]
ODD_IDS: list[Any] = [999, 0, -1, "abc", "1abc", " 1", 2147483648, "1;2"]
OTHER_TYPES: list[Any] = [[], ["x", "y"], {"a": 1}, True, False, 0, 1, -1, 1.5, None]


def odd_value(rng: random.Random, kind: str) -> Any:
    """One odd value for a parameter of this kind ("text", "date", "number", "id", "yesno", ...)."""
    pools: list[list[Any]] = [OTHER_TYPES, ODD_STRINGS]
    if kind == "date":
        pools += [ODD_DATES, ODD_DATES]
    elif kind in ("number", "money"):
        pools += [ODD_NUMBERS, ODD_NUMBERS]
    elif kind == "id":
        pools += [ODD_IDS, ODD_IDS]
    return rng.choice(rng.choice(pools))


def date(rng: random.Random) -> str:
    return f"{rng.choice([2031, 2031, 2032, 2024])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def money(rng: random.Random) -> Any:
    return rng.choice([1000, 90000, 2500000, 15000.5, "45 000,50", "1200.75", 0])

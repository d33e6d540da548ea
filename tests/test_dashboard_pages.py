"""The dashboard's server-rendered pages without a browser: links, paging, search, missing rows."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.conftest import ADMIN, APIKEY

CREDS = {"login": ADMIN, "apikey": APIKEY}


def call(client: FlaskClient, method: str, action: str, **params: object) -> bytes:
    return client.get(f"/developer/v2/{method}", query_string={**CREDS, "action": action, **params}).data


def links(html: str) -> list[str]:
    return re.findall(r'class="parent" data-table="\w+" href="([^"]+)"', html)


def test_a_deal_links_to_its_client_payer_and_every_contact(client: FlaskClient) -> None:
    call(client, "client", "add", title="ООО Тест")
    call(client, "client", "add", title="ООО Плательщик")
    for n in (1, 2):
        call(client, "person", "add", person=f"Иванов {n}", clid=1)
    call(client, "deal", "add", title="Сделка", clid=1, payer=2, pid=1, pid_list="1,2")
    html = client.get("/__mockcrm/ui/data/dogovor/1").get_data(as_text=True)
    assert links(html) == [
        "/__mockcrm/ui/data/clientcat/1?account=1",  # clid
        "/__mockcrm/ui/data/clientcat/2?account=1",  # payer
        "/__mockcrm/ui/data/personcat/1?account=1",  # pid
        "/__mockcrm/ui/data/personcat/1?account=1",  # pid_list, "1;2"
        "/__mockcrm/ui/data/personcat/2?account=1",
    ]
    client_page = client.get("/__mockcrm/ui/data/clientcat/1").get_data(as_text=True)
    assert 'id="related-personcat"' in client_page and "Иванов 2" in client_page
    assert re.search(r'id="related-dogovor">\s*<h2>Deals <small>1</small>', client_page)


def test_tables_page_by_50_and_search_every_column(client: FlaskClient) -> None:
    for n in range(1, 61):
        call(client, "client", "add", title=f"ООО Альфа {n}" if n % 2 else f"ЗАО Бета {n}")
    first = client.get("/__mockcrm/ui/data/clientcat").get_data(as_text=True)
    assert "60 rows" in first and "page 1 of 2" in first and first.count('class="open"') == 50
    second = client.get("/__mockcrm/ui/data/clientcat?page=2").get_data(as_text=True)
    assert second.count('class="open"') == 10 and 'id="prev"' in second and 'id="next"' not in second
    found = client.get("/__mockcrm/ui/data/clientcat?q=бета").get_data(as_text=True)
    assert "30 rows" in found and "Альфа" not in found
    none = client.get("/__mockcrm/ui/data/clientcat?q=nothing-like-this").get_data(as_text=True)
    assert "No rows contain “nothing-like-this”." in none


def test_missing_tables_and_rows_are_404_pages(client: FlaskClient) -> None:
    r = client.get("/__mockcrm/ui/data/nope")
    assert r.status_code == 404 and "There is no table nope." in r.get_data(as_text=True)
    r = client.get("/__mockcrm/ui/data/clientcat/5")
    assert r.status_code == 404 and "There is no clientcat 5." in r.get_data(as_text=True)

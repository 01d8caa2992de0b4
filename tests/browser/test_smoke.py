import pytest
from django.core.management import call_command

from tests.conftest import SEED

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_opens_the_list_and_reads_the_seed_essay(page):
    call_command("loaddata", SEED, verbosity=0)
    page.goto("/")
    page.get_by_role("link", name="Autonomy").click()
    page.wait_for_url("**/words/autonomy/")
    assert page.get_by_role("heading", level=1).inner_text() == "Autonomy"
    assert page.js_errors == []

"""Free-text fields where someone could write about a client carry a visible warning."""
import pytest

WARNING = "No names or details of the people we help."


@pytest.mark.parametrize("role,path,field", [
    ("staff", "/stock/receive", "note"), ("staff", "/stock/issue", "note"), ("staff", "/stock/transfer", "note"),
    ("staff", "/stock/discard", "note"), ("coordinator", "/stock/adjust", "reason"),
    ("coordinator", "/shifts/new", "note"), ("coordinator", "/shifts/series/new", "note"),
])
def test_free_text_fields_warn(client, login, role, path, field):
    login(role)
    html = client.get(path).get_data(as_text=True)
    assert f'<p class="help help-no-names" id="{field}-help">{WARNING}</p>' in html
    assert f'aria-describedby="{field}-help"' in html

def test_admin_login_page_renders(client, db):
    response = client.get("/login/")
    assert response.status_code == 200


def test_back_office_styles_are_served_without_debug(client, db, settings):
    """The admin CSS must load in `make demo` and small installs (WhiteNoise)."""
    assert settings.DEBUG is False
    response = client.get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert b"body" in b"".join(response.streaming_content)

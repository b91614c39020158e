def test_home_page_is_dutch_and_offers_login(browser):
    page = browser.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="nl"' in html
    assert "Kwaliteitsregister Sociaal Domein" in html
    assert "/inloggen" in html

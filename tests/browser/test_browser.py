"""The browser fixture itself: Chromium starts and renders Odia and Devanagari text."""


def test_chromium_renders_a_page_in_odia_and_hindi(browser_page) -> None:
    """Given headless Chromium, when a page with Odia and Hindi text is set, then the text reads
    back unchanged and no console error is reported."""
    browser_page.set_content('<html lang="or"><body><h1>ମତାମତ</h1><p>प्रतिक्रिया</p></body></html>')
    assert browser_page.inner_text("h1") == "ମତାମତ"
    assert browser_page.inner_text("p") == "प्रतिक्रिया"
    assert browser_page.errors == []

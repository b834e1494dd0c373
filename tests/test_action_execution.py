"""Executors and the accessibility tree in real headless Chromium, on small pages served from 127.0.0.1."""

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import async_playwright

from halo_lib.actions import COMPUTER_USE, ELEMENT, Action, execute, parse_action
from halo_lib.env.browser import VIEWPORT, launch_browser
from halo_lib.env.observation import mark_and_read_axtree, screenshot
from halo_lib.errors import ActionExecutionError

pytestmark = pytest.mark.anyio

MAIN_PAGE = """<!doctype html><html><head><title>Test</title></head>
<body style="margin:0; width:3000px; height:3000px">
<script>window.events = []; function log(e) { window.events.push(e); }</script>
<button id="alpha" style="position:absolute; left:100px; top:100px; width:120px; height:40px"
  onclick="log('click:Alpha')" ondblclick="log('dblclick:Alpha')">Alpha</button>
<button id="beta" style="position:absolute; left:300px; top:100px; width:120px; height:40px"
  onclick="log('click:Beta')" oncontextmenu="event.preventDefault(); log('contextmenu:Beta')"
  onauxclick="log('auxclick:' + event.button)" onmousedown="log('down:' + event.detail)">Beta</button>
<div id="hover" style="position:absolute; left:700px; top:100px; width:100px; height:40px"
  onmouseenter="log('hover')">Hover me</div>
<form id="form" style="position:absolute; left:100px; top:200px"
  onsubmit="event.preventDefault(); log('submit:' + document.getElementById('name').value)">
  <label for="name">Name</label> <input id="name" style="width:200px">
  <select id="color" aria-label="Color"><option>Red</option><option value="b">Blue</option></select>
  <input id="agree" type="checkbox"> <label for="agree">Agree</label>
</form>
<div id="handle" style="position:absolute; left:500px; top:300px; width:40px; height:40px; background:#c00"
  onmousedown="log('drag-start'); document.onmouseup = (e) => log('drag-end:' + e.clientX + ',' + e.clientY)"></div>
<a id="other" href="/other" style="position:absolute; left:100px; top:400px">Other page</a>
<div id="gone" style="position:absolute; left:100px; top:500px"><button onclick="log('gone')">Vanishing</button></div>
<p style="position:absolute; left:100px; top:600px">Some <b>bold</b> words</p>
</body></html>"""
OTHER_PAGE = "<!doctype html><html><body><h1>Other</h1><a href='/'>Back home</a></body></html>"
AXTREE_PAGE = """<!doctype html><html><body>
<nav aria-label="Main"><a href="/inbox">Inbox <span>4</span></a></nav>
<h2>Compose</h2>
<label for="to">To</label><input id="to" value="bob@x.com">
<input placeholder="Subject">
<input type="checkbox" id="urgent" checked><label for="urgent">Urgent</label>
<button disabled>Undo</button>
<div role="button" aria-expanded="false" tabindex="0">Menu</div>
<img src="data:," alt="Logo"><img src="data:," alt="">
<span>plain text</span>
<div style="display:none"><button>Secret A</button></div>
<div aria-hidden="true"><button>Secret B</button></div>
<div style="visibility:hidden">Secret C <span style="visibility:visible">Peeking</span></div>
<div style="cursor:pointer"><span>Row one</span> <span>2 PM</span></div>
<my-widget></my-widget>
<script>
customElements.define("my-widget", class extends HTMLElement {
  constructor() { super(); this.attachShadow({mode: "open"}).innerHTML = "<button>Shadow button</button>"; }
});
</script>
</body></html>"""
PAGES = {"/": MAIN_PAGE, "/other": OTHER_PAGE, "/axtree": AXTREE_PAGE}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 -- http.server's name
        body = PAGES.get(self.path.split("?")[0])
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not found").encode())

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)  # port 0: a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
async def browser(anyio_backend):
    async with async_playwright() as playwright:
        browser = await launch_browser(playwright)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser, site):
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    await page.goto(site + "/")
    yield page
    await context.close()


async def events(page) -> list[str]:
    return await page.evaluate("window.events")


async def centre(page, selector: str) -> list[int]:
    """The element's centre in Qwen3-VL's 0..1000 frame, the way a model would point at it."""
    box = await page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    return [round(x / VIEWPORT["width"] * 1000), round(y / VIEWPORT["height"] * 1000)]


async def run_cu(page, action: str, **args):
    return await execute(Action(action, COMPUTER_USE, args), page)


def bid(tree: str, line_pattern: str) -> str:
    """The id on the tree line matching ``line_pattern`` (a regex after the ``[id] ``)."""
    match = re.search(r"\[(\d+)\] " + line_pattern, tree)
    assert match, f"no line matching {line_pattern!r} in:\n{tree}"
    return match.group(1)


# ---------------------------------------------------------------- computer_use executors


async def test_left_click_by_coordinate_hits_the_right_button(page):
    await run_cu(page, "left_click", coordinate=await centre(page, "#beta"))
    await run_cu(page, "left_click", coordinate=await centre(page, "#alpha"))
    assert [e for e in await events(page) if e.startswith("click")] == ["click:Beta", "click:Alpha"]


async def test_parsed_model_output_clicks_through_execute(page):
    x, y = await centre(page, "#alpha")
    action = parse_action(f'Thought: click Alpha.\n<tool_call>\n{{"name": "computer_use", "arguments": '
                          f'{{"action": "left_click", "coordinate": ["{x}", "{y}"]}}}}\n</tool_call>')
    result = await execute(action, page)
    assert not result.done
    assert await events(page) == ["click:Alpha"]


async def test_other_mouse_buttons_and_multi_clicks(page):
    beta = await centre(page, "#beta")
    await run_cu(page, "right_click", coordinate=beta)
    await run_cu(page, "middle_click", coordinate=beta)
    await run_cu(page, "triple_click", coordinate=beta)
    await run_cu(page, "double_click", coordinate=await centre(page, "#alpha"))
    seen = await events(page)
    assert "contextmenu:Beta" in seen
    assert "auxclick:1" in seen  # the middle button
    assert "down:3" in seen  # the third press of a triple click
    assert "dblclick:Alpha" in seen


async def test_type_key_and_key_combination(page):
    await run_cu(page, "left_click", coordinate=await centre(page, "#name"))
    await run_cu(page, "type", text="hello")
    assert await page.input_value("#name") == "hello"
    await run_cu(page, "key", keys=["Control", "a"])
    await run_cu(page, "type", text="bye")
    assert await page.input_value("#name") == "bye"
    await run_cu(page, "key", keys=["Enter"])
    assert "submit:bye" in await events(page)


async def test_mouse_move_hovers(page):
    await run_cu(page, "mouse_move", coordinate=await centre(page, "#hover"))
    assert await events(page) == ["hover"]


async def test_drag_from_the_cursor_to_a_point(page):
    await run_cu(page, "mouse_move", coordinate=await centre(page, "#handle"))
    await run_cu(page, "left_click_drag", coordinate=[800, 800])
    seen = await events(page)
    assert seen[0] == "drag-start"
    x, y = map(float, seen[-1].removeprefix("drag-end:").split(","))
    assert abs(x - 0.8 * VIEWPORT["width"]) <= 1 and abs(y - 0.8 * VIEWPORT["height"]) <= 1


async def test_scroll_and_hscroll(page):
    await run_cu(page, "scroll", pixels=-400)  # negative: down
    await page.wait_for_function("window.scrollY >= 400", timeout=3000)
    await run_cu(page, "scroll", pixels=250, coordinate=[500, 500])  # positive: up
    await page.wait_for_function("window.scrollY <= 150", timeout=3000)
    await run_cu(page, "hscroll", pixels=300)  # positive: right
    await page.wait_for_function("window.scrollX >= 300", timeout=3000)


async def test_wait_waits(page):
    started = time.monotonic()
    await run_cu(page, "wait", time=0.3)
    assert time.monotonic() - started >= 0.29


async def test_terminal_actions_end_the_episode_without_touching_the_page(page):
    url = page.url
    answer = await run_cu(page, "answer", text="42")
    assert (answer.done, answer.answer) == (True, "42")
    terminate = await run_cu(page, "terminate", status="failure")
    assert (terminate.done, terminate.status) == (True, "failure")
    message = await execute(Action("send_msg_to_user", ELEMENT, {"text": "Done: 3 items"}), page)
    assert (message.done, message.answer, message.status) == (True, "Done: 3 items", "success")
    infeasible = await execute(Action("report_infeasible", ELEMENT, {"reason": "no such item"}), page)
    assert (infeasible.done, infeasible.status) == (True, "infeasible")
    assert page.url == url and await events(page) == []


# ---------------------------------------------------------------- element executors through axtree ids


async def test_element_actions_through_axtree_ids(page):
    tree = await mark_and_read_axtree(page)
    beta, name, color = bid(tree, "button 'Beta'"), bid(tree, "textbox 'Name'"), bid(tree, "combobox 'Color'")
    agree, hover = bid(tree, "checkbox 'Agree'"), bid(tree, "StaticText 'Hover me'")
    for text in (f"click('{beta}')", f"fill('{name}', 'Ada')", f"select_option('{color}', 'Blue')",
                 f"click('{agree}')", f"hover('{hover}')", f"press('{name}', 'enter')"):
        await execute(parse_action(text, family=ELEMENT), page)
    assert await page.input_value("#color") == "b"
    assert await page.is_checked("#agree")
    seen = await events(page)
    assert "click:Beta" in seen and "hover" in seen and "submit:Ada" in seen
    tree = await mark_and_read_axtree(page)
    assert re.search(r"textbox 'Name' value='Ada'", tree)
    assert re.search(r"checkbox 'Agree' checked", tree)


async def test_element_scroll(page):
    await execute(parse_action("scroll(0, 500)"), page)
    await page.wait_for_function("window.scrollY >= 500", timeout=3000)


async def test_unknown_element_id_fails_fast_with_a_readable_message(page):
    started = time.monotonic()
    with pytest.raises(ActionExecutionError, match=r"no element \[99999\]"):
        await execute(Action("click", ELEMENT, {"bid": "99999"}), page)
    assert time.monotonic() - started < 2


async def test_hidden_element_times_out_instead_of_hanging(page):
    tree = await mark_and_read_axtree(page)
    vanishing = bid(tree, "button 'Vanishing'")
    await page.evaluate("document.getElementById('gone').style.display = 'none'")
    started = time.monotonic()
    with pytest.raises(ActionExecutionError, match="Timeout|not visible"):
        await execute(Action("click", ELEMENT, {"bid": vanishing}), page, timeout_ms=500)
    assert time.monotonic() - started < 3
    assert "gone" not in await events(page)


async def test_goto_stays_on_the_allowed_origin(page, site):
    await execute(parse_action("goto('/other')"), page, allowed_origin=site)
    assert page.url == site + "/other"
    await execute(parse_action("go_back()"), page, allowed_origin=site)
    assert page.url == site + "/"
    for outside in ("http://example.com/", site.replace("127.0.0.1", "localhost") + "/other", "javascript:alert(1)",
                    "file:///etc/passwd"):
        with pytest.raises(ActionExecutionError, match="refused"):
            await execute(Action("goto", ELEMENT, {"url": outside}), page, allowed_origin=site)
        assert page.url == site + "/"
    # Without allowed_origin, the page's own origin is the limit.
    with pytest.raises(ActionExecutionError, match="refused"):
        await execute(Action("goto", ELEMENT, {"url": "http://example.com/"}), page)


async def test_go_back_without_history_is_an_error(browser):
    page = await browser.new_page()
    try:
        with pytest.raises(ActionExecutionError, match="no previous page"):
            await execute(Action("go_back", ELEMENT, {}), page)
    finally:
        await page.close()


# ---------------------------------------------------------------- the accessibility tree


async def test_axtree_names_roles_states_and_hidden_nodes(page, site):
    await page.goto(site + "/axtree")
    await page.focus("#to")
    tree = await mark_and_read_axtree(page)
    for line in (r"navigation 'Main'", r"link 'Inbox 4'", r"heading 'Compose' level=2",
                 r"textbox 'To' value='bob@x.com' focused", r"textbox 'Subject'", r"checkbox 'Urgent' checked",
                 r"button 'Undo' disabled", r"button 'Menu' expanded=false", r"img 'Logo'",
                 r"StaticText 'plain text'", r"StaticText 'Peeking'", r"generic 'Row one 2 PM' clickable",
                 r"button 'Shadow button'"):
        assert re.search(r"\[\d+\] " + line, tree), f"{line!r} missing from:\n{tree}"
    for hidden in ("Secret A", "Secret B", "Secret C"):
        assert hidden not in tree
    assert tree.count("img") == 1  # alt="" is decorative
    assert "StaticText 'Row one'" not in tree  # already the clickable row's name
    # Every id in the tree addresses exactly one element.
    for element_id in re.findall(r"\[(\d+)\]", tree):
        assert await page.locator(f'[data-halo-id="{element_id}"]').count() == 1


async def test_axtree_ids_are_stable_across_calls_and_changes(page):
    first = await mark_and_read_axtree(page)
    assert await mark_and_read_axtree(page) == first
    alpha, beta = bid(first, "button 'Alpha'"), bid(first, "button 'Beta'")
    await page.evaluate("""() => {
        const b = document.createElement('button'); b.textContent = 'Gamma';
        document.body.insertBefore(b, document.body.firstChild); }""")
    second = await mark_and_read_axtree(page)
    assert bid(second, "button 'Alpha'") == alpha and bid(second, "button 'Beta'") == beta
    assert bid(second, "button 'Gamma'") not in re.findall(r"\[(\d+)\]", first)


async def test_axtree_is_fast_on_a_list_of_a_thousand_elements(page):
    rows = "".join(f"<li style='cursor:pointer'><span>From {i}</span> <b>Subject {i}</b> <a href='#{i}'>open</a>"
                   f"<input type=checkbox></li>" for i in range(250))
    await page.set_content(f"<ul>{rows}</ul>")
    assert await page.evaluate("document.querySelectorAll('*').length") > 1000
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        tree = await mark_and_read_axtree(page)
        timings.append(time.perf_counter() - started)
    assert tree.count("link 'open'") == 250
    assert min(timings) < 0.25, timings  # ~10 ms on an idle machine; loose for shared CI cores


async def test_screenshot_formats(page):
    png = await screenshot(page)
    jpeg = await screenshot(page, "jpeg")
    assert png.startswith(b"\x89PNG") and jpeg.startswith(b"\xff\xd8")

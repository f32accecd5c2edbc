"""`hcr serve` (nbs/17_serve.ipynb): the JSON API and its answers to bad requests (Starlette's TestClient), the body limit
of a real uvicorn server, and the drawing page in a real browser (Playwright driving Debian's Chromium).

How the browser test writes: each character is a real MNIST or EMNIST test image (the sample bundled with hcr, so
that every clone draws the same ones), enlarged 2x, cut at 35% of its brightest ink, thinned to its skeleton
(Zhang-Suen), and the skeleton followed as pen strokes (from a free end where there is one; a branch starts or ends
where it meets a line already drawn). The strokes are drawn with the mouse (`page.mouse`, which Chromium delivers as
pointer events) on the page's canvas at 84% of its width, with the page's own pen; on the phone, with touch events.
What the model reads is the canvas as the page sends it. Digits: the first two test images of each digit (20);
letters: the first test image of each of the first 20 letter classes met in the test set.

Artifacts (screenshots, what was drawn and read) go to tests/artifacts/, which git ignores.
"""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import base64
import io
import json
import logging
import socket
from pathlib import Path

import httpx2 as httpx
import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient

from hcr.data import load_dataset
from hcr.predict import read_image
from hcr.preprocess import prepare_image
from paper import on_paper
from hcr.serve import MAX_BODY, TOP_K, load_predictors, make_app, predict_image, start_server

ARTIFACTS = Path(__file__).parent/'artifacts'
CHROMIUM = Path('/usr/bin/chromium')


# ---------------------------------------------------------------- shared set-up

@pytest.fixture(scope='module')
def predictors():
    return load_predictors()  # the committed models bundled with hcr, digits and letters (ONNX)


@pytest.fixture(scope='module')
def client(predictors):
    return TestClient(make_app(predictors))  # raises any server-side exception: a 500 fails loudly


@pytest.fixture(scope='module')
def server(predictors):
    with start_server(make_app(predictors)) as s: yield s


@pytest.fixture(scope='module')
def digits(): return load_dataset('mnist', 'test', source='sample')


@pytest.fixture(scope='module')
def letters(): return load_dataset('emnist', 'test', source='sample')


def encode(array: np.ndarray, fmt: str = 'PNG') -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.squeeze(array)).save(buf, fmt)
    return buf.getvalue()


def decode_prepared(url: str) -> np.ndarray:
    head, data = url.split(',', 1)
    assert head == 'data:image/png;base64'
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))))


def label(ds, i: int) -> str: return ds.classes[ds.labels[i]]


def first_of_each(ds, wanted, per_class: int = 1, limit: int = 20) -> list[int]:
    "Indices of the first `per_class` test images of each class that `wanted(character)` accepts, in test-set order."
    taken, chosen = {}, []
    for i, y in enumerate(ds.labels):
        c = ds.classes[y]
        if wanted(c) and taken.get(c, 0) < per_class:
            taken[c] = taken.get(c, 0) + 1
            chosen.append(i)
            if len(chosen) == limit: break
    return chosen


# ---------------------------------------------------------------- the API

def test_health_lists_both_committed_models(client):
    h = client.get('/api/health').json()
    assert h['status'] == 'ok' and h['default'] == 'mnist' and h['max_body_bytes'] == MAX_BODY
    assert [(m['dataset'], m['name'], m['classes']) for m in h['models']] == [
        ('mnist', 'bundled mnist model', 10), ('emnist', 'bundled emnist model', 47)]
    for m in h['models']:
        assert m['description'].startswith(m['name'] + ': ') and 'test images' in m['description']
        assert '/work/' not in m['description']  # no server path


def test_page_and_its_files(client):
    page = client.get('/')
    assert page.status_code == 200 and page.headers['content-type'].startswith('text/html')
    for needle in ('<canvas id="pad"', '<button type="button" id="undo"', '<label class="file" for="file">',
                   'src="draw.js"', 'href="draw.css"', 'name="viewport"'):
        assert needle in page.text
    assert "default-src 'self'" in page.headers['content-security-policy']
    assert page.headers['x-content-type-options'] == 'nosniff'
    js, css = client.get('/draw.js'), client.get('/draw.css')
    assert js.headers['content-type'].startswith('text/javascript') and "fetch('api/predict'" in js.text
    assert css.headers['content-type'].startswith('text/css') and 'image-rendering: pixelated' in css.text


@pytest.mark.parametrize('fmt', ['PNG', 'JPEG', 'BMP'])
def test_predicts_files_as_hcr_predict_prepares_them(client, digits, tmp_path, fmt):
    right = 0
    for i in range(5):
        data = encode(on_paper(digits.images[i]), fmt)
        r = client.post('/api/predict', files={'image': (f'digit.{fmt.lower()}', data, f'image/{fmt.lower()}')})
        assert r.status_code == 200, r.text
        a = r.json()
        assert set(a) == {'top', 'prepared', 'model', 'dataset', 'sure', 'threshold'}
        assert (a['model'], a['dataset'], len(a['top'])) == ('bundled mnist model', 'mnist', TOP_K)
        probs = [t['probability'] for t in a['top']]
        assert probs == sorted(probs, reverse=True) and 0 <= probs[-1] and sum(probs) <= 1 + 1e-5
        assert a['sure'] == (probs[0] >= a['threshold'])
        # the prepared image is exactly what hcr.predict's reading and hcr.preprocess's preparation make of the file
        path = tmp_path/f'{i}.{fmt.lower()}'
        path.write_bytes(data)
        assert np.array_equal(decode_prepared(a['prepared']), prepare_image(read_image(path), 'mnist')[..., 0])
        right += a['top'][0]['character'] == label(digits, i)
    assert right == 5


def test_dataset_field_picks_the_letters_model(client, letters):
    # one image of each letter class (37): five were too few to tell the letters model from chance swings (the
    # bundled models of 2026-11-30 and 2026-12-02 both read 32 of these 37, but 4 and 3 of the first five)
    letter_classes = sum(map(str.isalpha, letters.classes))
    picks = first_of_each(letters, str.isalpha, limit=letter_classes)
    answers = [client.post('/api/predict', data={'dataset': 'emnist'},
                           files={'image': ('c.png', encode(on_paper(letters.images[i])), 'image/png')}).json()
               for i in picks]
    assert all(a['model'] == 'bundled emnist model' and len(a['top']) == TOP_K for a in answers)
    assert len(picks) == letter_classes == 37
    right = sum(a['top'][0]['character'] == label(letters, i) for a, i in zip(answers, picks))
    assert right >= 0.8 * len(picks)  # at least 30 of 37; a digits model reading letters gets none


def _bomb() -> bytes:  # 60 million pixels in a few kilobytes of PNG
    buf = io.BytesIO()
    Image.new('1', (10_000, 6_000)).save(buf, 'PNG')
    return buf.getvalue()


BAD = {
    'wrong method on the API': (dict(method='GET', url='/api/predict'), 405, 'GET is not allowed here; use POST'),
    'wrong method on the page': (dict(method='DELETE', url='/'), 405, 'DELETE is not allowed here'),
    'unknown route': (dict(method='GET', url='/../../etc/passwd'), 404, 'no such page or API endpoint'),
    'JSON instead of a form': (dict(json={'image': 'iVBORw0KGgo='}), 415, 'multipart/form-data'),
    'bad JSON': (dict(content=b'{"image": ', headers={'content-type': 'application/json'}), 415, 'multipart/form-data'),
    'urlencoded form': (dict(data={'image': 'abc'}), 415, 'multipart/form-data'),
    'no image field': (dict(files={'picture': ('x.png', b'\x89PNG')}, data={'dataset': 'mnist'}), 400, "no 'image' field"),
    'image as text': (dict(files={'other': ('x.png', b'')}, data={'image': 'a picture'}), 400, "must be a file"),
    'two files': (dict(files=[('image', ('a.png', b'1')), ('image', ('b.png', b'2'))]), 400, 'bad multipart form'),
    'no boundary': (dict(content=b'abc', headers={'content-type': 'multipart/form-data'}), 400, 'bad multipart form'),
    'broken form': (dict(content=b'garbage', headers={'content-type': 'multipart/form-data; boundary=zz'}), 400,
                    'bad multipart form'),
    'empty file': (dict(files={'image': ('a.png', b'')}), 400, 'empty file'),
    'not an image': (dict(files={'image': ('a.png', b'hello, not a picture')}), 415, 'not an image hcr can read'),
    'a format not taken': (dict(files={'image': ('a.eps', b'%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n')}), 415,
                           'not an image hcr can read'),
    'truncated PNG': (dict(files={'image': ('a.png', 'TRUNCATED')}), 400, 'unreadable image'),
    'blank image': (dict(files={'image': ('a.png', 'BLANK')}), 422, 'no ink found'),
    'unknown dataset': (dict(files={'image': ('a.png', 'DIGIT')}, data={'dataset': 'kmnist'}), 400, 'unknown dataset'),
    'dataset as a path': (dict(files={'image': ('a.png', 'DIGIT')}, data={'dataset': '../../reports/mnist/run'}), 400,
                          'unknown dataset'),
    'pixel bomb': (dict(files={'image': ('a.png', 'BOMB')}), 413, 'image is 10000x6000 pixels, over the limit'),
    'declared body too large': (dict(content=b'x' * (MAX_BODY + 1), headers={'content-type': 'multipart/form-data; boundary=b'}),
                                413, f'request body over the limit of {MAX_BODY:,} bytes'),
}


@pytest.mark.parametrize('case', list(BAD))
def test_bad_requests_get_one_clear_json_error(client, digits, case, caplog):
    request, status, message = BAD[case]
    request = {'method': 'POST', 'url': '/api/predict', **request}
    if 'files' in request and isinstance(request['files'], dict) and isinstance(request['files'].get('image', ('', b''))[1], str):
        name, what = request['files']['image']
        png = encode(on_paper(digits.images[0]))
        request['files'] = {'image': (name, {'TRUNCATED': png[:300], 'BLANK': encode(np.full((200, 200), 250, np.uint8)),
                                             'DIGIT': png, 'BOMB': _bomb()}[what])}
    r = client.request(**request)
    assert r.status_code == status, r.text
    assert r.headers['content-type'] == 'application/json'
    body = r.json()
    assert list(body) == ['error'] and message in body['error'], body
    assert '\n' not in body['error'] and 'Traceback' not in r.text
    assert not [r.getMessage() for r in caplog.records if r.levelno < logging.ERROR and r.name.startswith('python_multipart')]  # the answer says it, the log does not repeat it


def test_the_upload_name_is_never_used(client, digits):
    r = client.post('/api/predict', files={'image': ('../../../../etc/passwd', encode(on_paper(digits.images[1])), 'image/png')})
    assert r.status_code == 200 and 'passwd' not in r.text and r.json()['top'][0]['character'] == label(digits, 1)


# ---------------------------------------------------------------- a real uvicorn server

def test_real_server_refuses_a_large_body_before_reading_it(server):
    # only the headers are sent: the answer comes at once, without waiting for the 3 MB announced
    with socket.create_connection((server.host, server.port), timeout=10) as s:
        s.sendall(b'POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n'
                  b'Content-Length: 3000000\r\n\r\n')
        reply = b''
        while not reply.endswith(b'}') and (chunk := s.recv(65536)):  # headers, then the JSON body
            reply += chunk
        reply = reply.decode()
    assert reply.startswith('HTTP/1.1 413') and '"error":"request body over the limit' in reply
    # streamed without Content-Length (chunked): counted as it arrives, and refused once past the limit
    chunks = (b'x' * 65536 for _ in range(64))  # 4 MiB
    r = httpx.post(server.url + 'api/predict', content=chunks, headers={'content-type': 'multipart/form-data; boundary=b'})
    assert r.status_code == 413 and 'over the limit' in r.json()['error']
    r = httpx.get(server.url + 'api/health')  # and the server goes on serving
    assert r.status_code == 200


# ---------------------------------------------------------------- the page in a real browser

def thin(mask: np.ndarray) -> np.ndarray:
    "Zhang-Suen thinning: a boolean image reduced to lines one pixel wide."
    img = np.pad(mask, 1).astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            c = img[1:-1, 1:-1]
            p2, p3, p4, p5 = img[:-2, 1:-1], img[:-2, 2:], img[1:-1, 2:], img[2:, 2:]
            p6, p7, p8, p9 = img[2:, 1:-1], img[2:, :-2], img[1:-1, :-2], img[:-2, :-2]
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            b = sum(ring[:8])
            a = sum((ring[i] == 0) & (ring[i + 1] == 1) for i in range(8))
            side = (p2*p4*p6 == 0) & (p4*p6*p8 == 0) if step == 0 else (p2*p4*p8 == 0) & (p2*p6*p8 == 0)
            gone = (c == 1) & (b >= 2) & (b <= 6) & (a == 1) & side
            if gone.any():
                c[gone] = 0
                changed = True
        if not changed: return img[1:-1, 1:-1].astype(bool)


STEPS = [(-1, 0), (0, 1), (1, 0), (0, -1), (-1, 1), (1, 1), (1, -1), (-1, -1)]  # straight neighbours first


def trace(skeleton: np.ndarray) -> list[list[tuple]]:
    "Polylines of (row, col) following a skeleton; each starts at a free end where there is one."
    pixels = set(zip(*(a.tolist() for a in np.nonzero(skeleton))))
    near = lambda p, among: [(p[0] + dy, p[1] + dx) for dy, dx in STEPS if (p[0] + dy, p[1] + dx) in among]
    left, paths = set(pixels), []
    while left:
        start = min(left, key=lambda p: (len(near(p, left)), p))
        path = [start]
        left.discard(start)
        drawn = near(start, pixels - left)  # a branch starts where it meets a line already drawn
        if drawn: path.insert(0, drawn[0])
        while nxt := near(path[-1], left):
            path.append(nxt[0])
            left.discard(nxt[0])
        joins = [q for q in near(path[-1], pixels - left) if q not in path[-3:]]
        if joins: path.append(joins[0])
        paths.append(path)
    return paths


def strokes_of(image: np.ndarray, upscale: int = 2, level: float = 0.35, every: int = 3) -> list[list[tuple]]:
    "Pen strokes, as (x, y) in the unit square, that follow the skeleton of a 28x28 white-on-black character."
    a = np.squeeze(image).astype(np.float32)
    big = np.asarray(Image.fromarray(a).resize((28 * upscale, 28 * upscale), Image.BILINEAR))
    n = 28 * upscale
    # every third skeleton pixel (and the last) is enough for the pen's straight segments; each mouse move costs a frame
    paths = [path[::every] + ([path[-1]] if (len(path) - 1) % every else []) for path in trace(thin(big > level * big.max()))]
    return [[((c + .5) / n, (r + .5) / n) for r, c in path] for path in paths]


@pytest.fixture(scope='module')
def browser():
    if not CHROMIUM.exists(): pytest.skip(f'no browser: {CHROMIUM} is missing (apt-get install chromium)')
    sync_api = pytest.importorskip('playwright.sync_api', reason='playwright is not installed (pip install playwright)')
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=['--no-sandbox'])
        yield b
        b.close()


@pytest.fixture(scope='module')
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def open_page(browser, server, **context):
    page = browser.new_context(**context).new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on('pageerror', lambda e: errors.append(str(e)))
    missing = []  # what the page asked for and did not get (a favicon, say: an error in the browser's console)
    page.on('response', lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(server.url)
    page.wait_for_selector('#models input[value="emnist"]')  # the models have arrived from /api/health
    page.js_errors, page.missing = errors, missing
    return page


def wait_for_answer(page):
    "Wait until the answer on screen is for the drawing as it is now."
    page.wait_for_function("() => document.querySelector('#verdict').dataset.version === "
                           "document.querySelector('#pad').dataset.version")  # a function: the page's CSP forbids eval


def canvas_box(page, margin: float = 0.08):
    box = page.locator('#pad').bounding_box()
    return box['x'] + margin * box['width'], box['y'] + margin * box['height'], (1 - 2 * margin) * box['width']


def draw_with_mouse(page, strokes):
    x0, y0, size = canvas_box(page)
    for stroke in strokes:
        page.mouse.move(x0 + stroke[0][0] * size, y0 + stroke[0][1] * size)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(x0 + x * size, y0 + y * size)
        page.mouse.up()
    wait_for_answer(page)


def draw_with_touch(page, strokes):
    "Touch strokes through the DevTools protocol (Playwright's own touch API only taps)."
    cdp = page.context.new_cdp_session(page)
    x0, y0, size = canvas_box(page)
    for stroke in strokes:
        points = [{'x': x0 + x * size, 'y': y0 + y * size} for x, y in stroke]
        cdp.send('Input.dispatchTouchEvent', {'type': 'touchStart', 'touchPoints': [points[0]]})
        for p in points[1:]: cdp.send('Input.dispatchTouchEvent', {'type': 'touchMove', 'touchPoints': [p]})
        cdp.send('Input.dispatchTouchEvent', {'type': 'touchEnd', 'touchPoints': []})
    wait_for_answer(page)


def read_answer(page) -> str:
    return page.locator('#top li .char').first.text_content()


def draw_and_read(page, ds, picks, predictor, record: list) -> int:
    right = 0
    for i in picks:
        page.get_by_role('button', name='Clear').click()
        wait_for_answer(page)
        draw_with_mouse(page, strokes_of(ds.images[i]))
        got, want = read_answer(page), label(ds, i)
        # for comparison, what the model reads in the test image itself (on paper), without drawing it
        itself = predict_image(predictor, Image.fromarray(on_paper(ds.images[i])))['top'][0]['character']
        record.append({'dataset': ds.name, 'index': i, 'label': want, 'read': got, 'read_from_the_image': itself,
                       'verdict': page.locator('#verdict').text_content()})
        right += got == want
    return right


def test_draws_digits_and_letters_on_the_desktop_page(browser, server, predictors, digits, letters, artifacts):
    page = open_page(browser, server, viewport={'width': 1280, 'height': 900})
    record = []
    digit_picks = first_of_each(digits, str.isdigit, per_class=2)
    digits_right = draw_and_read(page, digits, digit_picks, predictors['mnist'], record)
    assert page.locator('#prepared').is_visible()
    page.screenshot(path=artifacts/'desktop-digit.png')

    page.get_by_label('Letters').check()
    assert 'reports/emnist/run' in page.locator('#model-info').text_content()  # the bundled model's source run
    letter_picks = first_of_each(letters, str.isalpha)
    letters_right = draw_and_read(page, letters, letter_picks, predictors['emnist'], record)
    page.screenshot(path=artifacts/'desktop.png')
    from_images = {d: sum(r['read_from_the_image'] == r['label'] for r in record if r['dataset'] == d) for d in ('mnist', 'emnist')}
    (artifacts/'drawn.json').write_text(json.dumps(
        {'digits_right': digits_right, 'digits': len(digit_picks), 'letters_right': letters_right,
         'letters': len(letter_picks), 'right_from_the_images_themselves': from_images, 'characters': record}, indent=1))
    print(f'\ndrawn in the browser and read right: {digits_right}/{len(digit_picks)} digits, '
          f'{letters_right}/{len(letter_picks)} letters (from the test images themselves: '
          f"{from_images['mnist']}/{len(digit_picks)} and {from_images['emnist']}/{len(letter_picks)})")
    assert page.js_errors == []
    assert digits_right >= 18, record
    assert letters_right > len(letter_picks) // 2, record


def test_phone_width_with_touch(browser, server, digits, artifacts):
    page = open_page(browser, server, viewport={'width': 390, 'height': 844}, device_scale_factor=2,
                     is_mobile=True, has_touch=True)
    assert page.evaluate('document.documentElement.scrollWidth') <= 390  # nothing wider than the phone
    i = first_of_each(digits, lambda c: c == '4', limit=1)[0]
    draw_with_touch(page, strokes_of(digits.images[i]))
    assert read_answer(page) == label(digits, i)
    assert page.locator('#prepared').is_visible()
    assert page.evaluate('document.documentElement.scrollWidth') <= 390
    page.screenshot(path=artifacts/'phone.png', full_page=True)
    assert page.js_errors == []


def test_upload_drop_and_bad_files(browser, server, digits, tmp_path):
    page = open_page(browser, server, viewport={'width': 1280, 'height': 900})
    png = tmp_path/'digit.png'
    png.write_bytes(encode(on_paper(digits.images[2])))
    page.set_input_files('#file', str(png))
    wait_for_answer(page)
    assert read_answer(page) == label(digits, 2)
    src = page.get_attribute('#prepared', 'src')
    assert page.locator('#prepared').is_visible() and src.startswith('data:image/png;base64,')
    assert decode_prepared(src).shape == (28, 28)
    assert page.evaluate("getComputedStyle(document.querySelector('#prepared')).imageRendering") == 'pixelated'

    # drag and drop of a JPEG onto the drawing area
    jpeg = base64.b64encode(encode(on_paper(digits.images[3]), 'JPEG')).decode()
    data = page.evaluate_handle("""(b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'digit.jpg', {type: 'image/jpeg'}));
        return dt; }""", jpeg)
    page.dispatch_event('#drop', 'drop', {'dataTransfer': data})
    wait_for_answer(page)
    assert read_answer(page) == label(digits, 3)

    # a TIFF, which the browser cannot show: the server reads it, and the drawing area says so instead of staying blank
    (tmp_path/'digit.tif').write_bytes(encode(on_paper(digits.images[4]), 'TIFF'))
    page.set_input_files('#file', str(tmp_path/'digit.tif'))
    wait_for_answer(page)
    assert read_answer(page) == label(digits, 4)
    page.wait_for_selector('#unshown', state='visible')
    assert page.text_content('#unshown') == 'digit.tif: this browser cannot show it; it is sent to the server as it is'
    page.set_input_files('#file', str(png))  # a file it can show takes the note away
    wait_for_answer(page)
    assert not page.locator('#unshown').is_visible()

    # a file that is not an image: the server's message, shown as an alert
    (tmp_path/'notes.png').write_text('not a picture')
    page.set_input_files('#file', str(tmp_path/'notes.png'))
    wait_for_answer(page)
    alert = page.get_by_role('alert')
    assert alert.is_visible() and 'not an image hcr can read' in alert.text_content()
    assert page.locator('#top li').count() == 0
    assert page.js_errors == []


def test_answers_while_drawing_undo_clear_and_keyboard(browser, server, digits):
    page = open_page(browser, server, viewport={'width': 1280, 'height': 900})
    strokes = strokes_of(digits.images[first_of_each(digits, lambda c: c == '7', limit=1)[0]])
    x0, y0, size = canvas_box(page)
    longest = max(strokes, key=len)
    page.mouse.move(x0 + longest[0][0] * size, y0 + longest[0][1] * size)
    page.mouse.down()
    for x, y in longest[1:]: page.mouse.move(x0 + x * size, y0 + y * size)
    # the pen is still down: an answer comes anyway
    page.wait_for_function("() => Number(document.querySelector('#verdict').dataset.version) > 0")
    page.mouse.up()
    wait_for_answer(page)
    before = page.get_attribute('#prepared', 'src')
    draw_with_mouse(page, [[(0.1, 0.9), (0.9, 0.9)]])   # a line under it changes what the model sees
    assert page.get_attribute('#prepared', 'src') != before
    page.get_by_role('button', name='Undo').click()      # the line is gone: the same image as before
    wait_for_answer(page)
    assert np.array_equal(decode_prepared(page.get_attribute('#prepared', 'src')), decode_prepared(before))
    page.locator('#models input[value="mnist"]').focus()  # the keyboard undoes too, the focus on a model's button
    page.keyboard.press('Control+z')                     # (as after choosing a model): nothing left
    wait_for_answer(page)
    assert page.locator('#placeholder').is_visible() and not page.locator('#prepared').is_visible()

    # everything is reachable with Tab, and every control has a name
    names = []
    page.locator('body').focus()
    for _ in range(6):
        page.keyboard.press('Tab')
        names.append(page.evaluate("(() => { const e = document.activeElement; "
                                   "return e.id || e.value || e.tagName; })()"))
    assert {'mnist', 'undo', 'clear', 'file'} <= set(names), names
    assert page.get_by_label('Image file:', exact=True).count() == 1 and page.get_by_role('group', name='Model').count() == 1
    page.get_by_role('button', name='Clear').focus()
    page.keyboard.press('Enter')
    wait_for_answer(page)
    assert page.js_errors == [] and page.missing == []

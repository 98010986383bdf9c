"""The playground in a real browser: Debian's Chromium, headless, driven by Selenium.

One page visit walks through what a learner does: pick the spiral, press play, watch the test loss fall and
the heat map change, click points onto the map, move the threshold, download the model. Screenshots of each
state go to the test's temporary directory (the path is printed); set ``TENSORGATE_PLAYGROUND_SCREENSHOT`` to
a path to also keep the trained state's picture there (how ``docs/playground.png`` was made).
"""
import base64
import os
import shutil
import threading
import time

import numpy as np
import pytest

selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")
pytest.importorskip("uvicorn", reason="the playground extra is not installed")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

import tensorgate as tg  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="no Chromium: apt-get install chromium chromium-driver (.ci/run does)")

SETUP = "#layers=8,8&activation=tanh&optimizer=adam&lr=0.03&batch_size=10&features=x1,x2,sin(x1),sin(x2)"


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from tensorgate.playground.serve import bind, url_of
    from tensorgate.playground.server import create_app

    sock = bind("127.0.0.1", 0)
    config = uvicorn.Config(create_app(max_sessions=4), log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield url_of(sock)
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1320,940", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def js(driver, expression):
    return driver.execute_script("return " + expression)


def wait(driver, condition, timeout=30, message=""):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message)


def confusion(driver):
    return [driver.find_element("id", k).text for k in ("cm-tn", "cm-fp", "cm-fn", "cm-tp")]


def test_a_learner_trains_the_spiral(server, browser, downloads, tmp_path):
    shots = tmp_path
    print(f"\nscreenshots in {shots}")
    d = browser
    d.get(server + SETUP)
    wait(d, lambda d: js(d, "window.playground.frame !== null && window.playground.data !== null"))
    Select(d.find_element("id", "dataset")).select_by_value("spiral")
    wait(d, lambda d: js(d, "window.playground.config.dataset === 'spiral' && window.playground.frame.epoch === 0 "
                            "&& window.playground.data.train.length === 350"))
    assert "dataset=spiral" in d.current_url and "layers=8%2C8" in d.current_url  # the set-up is in the URL
    weights = js(d, "window.playground.frame.weights")
    assert [len(w) for w in weights] == [8, 8, 1] and len(weights[0][0]) == 4  # ... and came from the URL
    assert d.find_element("id", "share-url").get_attribute("value") == d.current_url
    time.sleep(0.3)
    before = d.find_element("id", "surface").screenshot_as_png
    d.save_screenshot(str(shots / "1-spiral.png"))

    # play: the test loss falls below a bound, and the map changes
    start_loss = js(d, "window.playground.frame.test_loss")
    d.find_element("id", "play").click()
    wait(d, lambda d: (js(d, "window.playground.frame.test_loss") or 9) < 0.2, timeout=40,
         message="the test loss did not fall below 0.2")
    d.find_element("id", "play").click()  # pause
    wait(d, lambda d: js(d, "window.playground.playing") is False)
    time.sleep(0.3)  # a frame in flight lands
    assert start_loss > 0.6
    assert d.find_element("id", "surface").screenshot_as_png != before
    d.save_screenshot(str(shots / "2-trained.png"))
    keep = os.environ.get("TENSORGATE_PLAYGROUND_SCREENSHOT")
    if keep:
        shutil.copy(shots / "2-trained.png", keep)

    # clicking the map adds a training point at the clicked place
    n = js(d, "window.playground.data.train.length")
    surface = d.find_element("id", "surface")
    webdriver.ActionChains(d).move_to_element_with_offset(surface, 100, -120).click().perform()
    wait(d, lambda d: js(d, "window.playground.data.train.length") == n + 1)
    x, y, label = js(d, "window.playground.data.train.at(-1)")  # the newest point
    assert 3.5 < x < 4.4 and 4.1 < y < 4.9 and label == 1  # 100 px right, 120 px up of the centre, ×12/320
    d.save_screenshot(str(shots / "3-clicked.png"))

    # the threshold slider changes the confusion matrix
    at_half = confusion(d)
    slider = d.find_element("id", "threshold")
    slider.send_keys(Keys.HOME)  # threshold 0: every point predicted class 1
    wait(d, lambda d: confusion(d) != at_half)
    tn, fp, fn, tp = map(int, confusion(d))
    assert tn == 0 and fn == 0 and fp + tp == 150
    assert d.find_element("id", "recall").text == "1.000" and d.find_element("id", "fpr").text == "1.000"
    d.save_screenshot(str(shots / "4-threshold.png"))

    # the downloaded model is the page's model
    d.find_element("id", "export-model").click()
    path = downloads / "playground.tgate"
    wait(d, lambda d: path.exists() and path.stat().st_size > 0, timeout=20, message="no download")
    model = tg.load(str(path)).eval()
    bounds = js(d, "window.playground.data.bounds")
    grid = np.linspace(bounds[0], bounds[1], 64, dtype=np.float32), np.linspace(bounds[3], bounds[2], 64,
                                                                                dtype=np.float32)
    xx, yy = np.meshgrid(*grid)
    p = model(np.stack([xx.ravel(), yy.ravel()], axis=1)).numpy()[:, 0]
    page = np.frombuffer(base64.b64decode(js(d, "window.playground.frame.surface")), dtype=np.uint8)
    assert np.abs(page.astype(np.float64) - p * 255).max() <= 0.5 + 1e-3  # the page's heat map, to a byte

    # and nothing went wrong in the page
    assert js(d, "window.playground.errors") == []
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def test_editing_the_network_with_the_buttons(server, browser):
    d = browser
    d.get(server + "#layers=2&dataset=xor&points=100")
    wait(d, lambda d: js(d, "window.playground.frame !== null && window.playground.frame.weights.length === 2"))
    d.find_element("id", "add-layer").click()  # a second hidden layer of 2
    wait(d, lambda d: js(d, "window.playground.frame.weights.map(w => w.length).join()") == "2,2,1")
    d.find_element("css selector", "button[data-l='1'][data-d='1']").click()  # one more neuron in it
    wait(d, lambda d: js(d, "window.playground.frame.weights.map(w => w.length).join()") == "2,3,1")
    assert len(d.find_elements("css selector", "canvas.neuron")) == 2 + 2 + 3 + 1
    d.find_element("id", "remove-layer").click()
    d.find_element("id", "remove-layer").click()  # no hidden layer: logistic regression
    wait(d, lambda d: js(d, "window.playground.frame.weights.length") == 1)
    assert "logistic regression" in d.find_element("id", "layer-count").text
    Select(d.find_element("id", "activation")).select_by_value("relu")
    d.find_element("id", "batchnorm").click()
    d.find_element("id", "feature-x1x2").click()
    wait(d, lambda d: "batchnorm=true" in d.current_url and "x1x2" in d.current_url)
    d.find_element("id", "step").click()
    wait(d, lambda d: js(d, "window.playground.frame.epoch") == 1)
    assert js(d, "window.playground.frame.weights[0][0].length") == 3  # x1, x2, x1x2
    assert js(d, "window.playground.errors") == []
    assert [e for e in d.get_log("browser") if e["level"] == "SEVERE"] == []

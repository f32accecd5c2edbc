"pytest settings shared by the tests."


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: a full rerun of a committed report on the real data (make reproduce)')
    config.addinivalue_line('markers', 'committed: a check of the committed runs on the full data: their first epochs against their history, their exports, their calibration (make check-reports)')

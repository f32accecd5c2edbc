"pytest settings shared by the tests."


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: a full training run on the real data (minutes); `make test-fast` skips it')

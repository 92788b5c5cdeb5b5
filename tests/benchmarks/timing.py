"""Server time of a page through the Flask test client, for the benchmarks."""

import statistics
import time


def server_ms(client, url, runs=7):
    """Return the median milliseconds of `runs` GETs of url after one warm-up GET."""
    assert client.get(url).status_code == 200, url  # warm caches and templates
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times)

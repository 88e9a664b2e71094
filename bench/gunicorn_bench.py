"""gunicorn settings for bench/run.py: the production gunicorn.conf.py, with three changes.

- No access log (as before), so the log does not compete for the two cores.
- No worker recycling (max_requests), unless BENCH_RECYCLE=1 (bench/loadtest.py keeps the
  production setting): a recycled worker rebuilds its facet index, and that rebuild would land
  in the middle of whichever measurement happened to be running.
- After a worker has built its facet index (gunicorn.conf.py's post_worker_init) it leaves a
  file named by its pid in BENCH_READY_DIR, so the benchmark starts only once every worker
  is ready.

Workers and the address come from WEB_CONCURRENCY and BIND, as in gunicorn.conf.py.
"""

import os
import runpy
from pathlib import Path

_production = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update({k: v for k, v in _production.items() if not k.startswith("__")})

accesslog = None
if os.environ.get("BENCH_RECYCLE") != "1":
    max_requests = 0
    max_requests_jitter = 0


def post_worker_init(worker):
    _production["post_worker_init"](worker)
    ready = os.environ.get("BENCH_READY_DIR")
    if ready:
        Path(ready, str(os.getpid())).touch()

"""Prometheus text-format metrics, hand-written (no client library needed).

Thread-safe: the model worker thread records batch sizes while the event loop
records requests.
"""

from __future__ import annotations

import threading
from collections import defaultdict

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


class Histogram:
    def __init__(self, buckets):
        self.buckets = tuple(buckets)
        self.counts = [0] * len(self.buckets)
        self.total = 0
        self.sum = 0.0

    def observe(self, v: float) -> None:
        for i, b in enumerate(self.buckets):
            if v <= b:
                self.counts[i] += 1
        self.total += 1
        self.sum += v

    def lines(self, name: str, labels: str = "") -> list[str]:
        sep = "," if labels else ""
        out = []
        for b, c in zip(self.buckets, self.counts):
            out.append(f'{name}_bucket{{{labels}{sep}le="{_num(b)}"}} {c}')
        out.append(f'{name}_bucket{{{labels}{sep}le="+Inf"}} {self.total}')
        lab = f"{{{labels}}}" if labels else ""
        out.append(f"{name}_sum{lab} {_num(self.sum)}")
        out.append(f"{name}_count{lab} {self.total}")
        return out


def _num(v: float) -> str:
    return repr(float(v)) if isinstance(v, float) else str(v)


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Metrics:
    def __init__(self):
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, Histogram] = {}
        self.batch_sizes = Histogram(BATCH_BUCKETS)
        self.model_batches = 0
        self.model_requests = 0
        self.model_seconds = 0.0
        self.rejected: dict[str, int] = defaultdict(int)  # reason -> count (queue_full, timeout, shutdown)
        self.translations: dict[str, int] = defaultdict(int)  # path (compiler/english_compiler/model) -> count

    def record_request(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, status)] += 1
            h = self.latency.get(route)
            if h is None:
                h = self.latency[route] = Histogram(LATENCY_BUCKETS)
            h.observe(seconds)

    def record_batch(self, size: int, seconds: float) -> None:
        with self._lock:
            self.batch_sizes.observe(size)
            self.model_batches += 1
            self.model_requests += size
            self.model_seconds += seconds

    def record_rejected(self, reason: str) -> None:
        with self._lock:
            self.rejected[reason] += 1

    def record_translation(self, path: str) -> None:
        with self._lock:
            self.translations[path] += 1

    def render(self, *, queue_depth: int, queue_capacity: int, in_flight: int, model_state: str,
               lanes: dict[str, tuple[int, int, int, int]] | None = None, batch_wait_seconds: float = 0.0) -> str:
        """``lanes``: worker lane name -> (queue depth, queue bound, jobs running, processes started)."""
        with self._lock:
            L: list[str] = []
            L.append("# HELP helixc_http_requests_total HTTP requests answered, by route, method and status.")
            L.append("# TYPE helixc_http_requests_total counter")
            for (route, method, status), n in sorted(self.requests.items()):
                L.append(f'helixc_http_requests_total{{route="{_esc(route)}",method="{method}",status="{status}"}} {n}')
            L.append("# HELP helixc_http_request_duration_seconds Time from request start to response end, by route.")
            L.append("# TYPE helixc_http_request_duration_seconds histogram")
            for route, h in sorted(self.latency.items()):
                L.extend(h.lines("helixc_http_request_duration_seconds", f'route="{_esc(route)}"'))
            L.append("# HELP helixc_translations_total Translations answered, by path (compiler, english_compiler, model).")
            L.append("# TYPE helixc_translations_total counter")
            for path, n in sorted(self.translations.items()):
                L.append(f'helixc_translations_total{{path="{path}"}} {n}')
            L.append("# HELP helixc_model_queue_depth Model requests waiting in the queue.")
            L.append("# TYPE helixc_model_queue_depth gauge")
            L.append(f"helixc_model_queue_depth {queue_depth}")
            L.append("# HELP helixc_model_queue_capacity Bound of the model queue (past it: 503).")
            L.append("# TYPE helixc_model_queue_capacity gauge")
            L.append(f"helixc_model_queue_capacity {queue_capacity}")
            L.append("# HELP helixc_model_in_flight Model requests in the batch being decoded now.")
            L.append("# TYPE helixc_model_in_flight gauge")
            L.append(f"helixc_model_in_flight {in_flight}")
            L.append("# HELP helixc_model_batch_size Requests per MoE.answer call.")
            L.append("# TYPE helixc_model_batch_size histogram")
            L.extend(self.batch_sizes.lines("helixc_model_batch_size"))
            L.append("# HELP helixc_model_batch_seconds_total Time spent in MoE.answer.")
            L.append("# TYPE helixc_model_batch_seconds_total counter")
            L.append(f"helixc_model_batch_seconds_total {_num(self.model_seconds)}")
            L.append("# HELP helixc_model_batch_wait_seconds_total Time the model worker waited for a batch to fill.")
            L.append("# TYPE helixc_model_batch_wait_seconds_total counter")
            L.append(f"helixc_model_batch_wait_seconds_total {_num(batch_wait_seconds)}")
            L.append("# HELP helixc_rejected_total Requests refused or abandoned, by reason (queue_full, timeout, <lane>_queue_full, <lane>_timeout).")
            L.append("# TYPE helixc_rejected_total counter")
            for reason, n in sorted(self.rejected.items()):
                L.append(f'helixc_rejected_total{{reason="{reason}"}} {n}')
            if lanes:
                for metric, i, help_ in (("helixc_worker_queue_depth", 0, "Jobs waiting in a worker lane."),
                                         ("helixc_worker_queue_capacity", 1, "Bound of a worker lane's queue (past it: 503)."),
                                         ("helixc_worker_in_flight", 2, "Jobs running in a worker lane's processes."),
                                         ("helixc_worker_starts_total", 3, "Worker processes started (a killed or "
                                                                           "crashed one is replaced on next use).")):
                    L.append(f"# HELP {metric} {help_}")
                    L.append(f"# TYPE {metric} {'counter' if metric.endswith('_total') else 'gauge'}")
                    for name, vals in sorted(lanes.items()):
                        L.append(f'{metric}{{lane="{_esc(name)}"}} {vals[i]}')
            L.append("# HELP helixc_model_ready 1 when the model is loaded, by state.")
            L.append("# TYPE helixc_model_ready gauge")
            L.append(f'helixc_model_ready{{state="{_esc(model_state)}"}} {1 if model_state == "ready" else 0}')
            return "\n".join(L) + "\n"

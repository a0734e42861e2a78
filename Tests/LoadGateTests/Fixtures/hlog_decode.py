"""Decodes a LoadGate latency.hlog with the reference Python HdrHistogram (PyPI hdrhistogram) and
prints, per tag, what the Swift test compares with LoadGate's own summary: the total count, the
recorded buckets, percentiles (the library's own rule and the nearest-rank rule of current Java
HdrHistogram, which LoadGate uses), and the per-second counts. Also encodes a histogram of known
values, so the test can decode the reference encoder's output with LoadGate's decoder."""
import json
import math
import sys

from hdrh.histogram import HdrHistogram
from hdrh.log import HistogramLogReader

PERCENTILES = [50.0, 90.0, 95.0, 99.0, 99.9]

reader = HistogramLogReader(sys.argv[1], HdrHistogram(1, 3600000000, 3))
totals, seconds = {}, {}
while True:
    interval = reader.get_next_interval_histogram()
    if interval is None:
        break
    tag = interval.get_tag()
    if tag not in totals:
        totals[tag] = HdrHistogram(1, 3600000000, 3)
        seconds[tag] = {}
    totals[tag].add(interval)
    offset = round(interval.get_start_time_stamp() / 1000.0 - reader.get_start_time_sec())
    seconds[tag][str(offset)] = interval.get_total_count()


def nearest_rank(histogram, percentile):
    rank = max(1, math.ceil(percentile / 100.0 * histogram.get_total_count() - 1e-9))
    seen = 0
    for item in histogram.get_recorded_iterator():
        seen += item.count_at_value_iterated_to
        if seen >= rank:
            return item.value_iterated_to
    return None


out = {"startTime": reader.get_start_time_sec(), "tags": {}}
for tag, histogram in totals.items():
    out["tags"][tag] = {
        "count": histogram.get_total_count(),
        "buckets": [[item.value_iterated_to, item.count_at_value_iterated_to] for item in histogram.get_recorded_iterator()],
        "library": {str(p): histogram.get_value_at_percentile(p) for p in PERCENTILES},
        "nearestRank": {str(p): nearest_rank(histogram, p) for p in PERCENTILES},
        "seconds": seconds[tag],
    }

known = HdrHistogram(1, 3600000000, 3)
for value, count in [(1, 3), (250, 7), (1023, 1), (1024, 2), (123456, 5), (3600000000, 1)]:
    known.record_value(value, count)
out["encoded"] = known.encode().decode("ascii")
out["encodedBuckets"] = [[item.value_iterated_to, item.count_at_value_iterated_to] for item in known.get_recorded_iterator()]
print(json.dumps(out))

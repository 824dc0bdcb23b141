"""A sending process for the throttle test: takes sends of one number's rate for a while and
prints the moments it was allowed to send, one per line."""

import sys
import time

from app import queues
from app.services.campaigns import throttle

if __name__ == "__main__":
    url, key, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    queues.configure(url, 5)
    end = time.time() + seconds
    while time.time() < end:
        wait = throttle.take(key, rate)
        if wait:
            time.sleep(wait)
        else:
            print(time.time(), flush=True)

# Run by test_worker_crash.py in `tracebureau shell` with LIST_ID in its environment: queue the
# list's reconciliation, as its page's button does.
import json
import os

from tracebureau.core.models import User
from tracebureau.lists import services as lists
from tracebureau.lists.models import IncomingList

incoming = IncomingList.objects.get(pk=int(os.environ["LIST_ID"]))
job = lists.reconciliation_start(incoming_list=incoming, by=User.objects.get(username="hq.analyst"))
print(json.dumps({"job": job.pk}))

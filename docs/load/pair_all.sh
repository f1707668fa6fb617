#!/usr/bin/env bash
# Old and new code served at once on copies of one seed, wrk taking turns, with each server's
# CPU per request (utime + stime from /proc). Run from the new code's checkout:
#   OLD=/path/to/old/checkout bash docs/load/pair_all.sh ROUNDS SECONDS > pair.log
#   python docs/load/pair_table.py pair.log
# The seed: the old code's benchmark (`python -m tracker.bench.load --database-url
# postgresql://root@127.0.0.1/ob --orgs 3 --initiatives 500 --seed-cache --only none`), whose
# template ob_seed is copied for the new code and migrated forward; ob is the old code's copy.
set -u
PG=postgresql://root@127.0.0.1
NEW=$(pwd); OLD=${OLD:?the old code checkout}; PY=$NEW/.venv/bin/python
psql -h 127.0.0.1 -U root -d postgres -qc 'DROP DATABASE IF EXISTS nb' -c 'CREATE DATABASE nb TEMPLATE ob_seed'
DATABASE_URL=$PG/nb $PY -m tracker.cli migrate >/dev/null
declare -A DIR DB PORT TOK
DIR[old]=$OLD; DB[old]=ob; PORT[old]=18201
DIR[new]=$NEW; DB[new]=nb; PORT[new]=18202
for c in old new; do
  TOK[$c]=$(cd ${DIR[$c]} && PYTHONPATH=${DIR[$c]} $PY $NEW/docs/load/pair_session.py $PG/${DB[$c]} | tail -1)
  (cd ${DIR[$c]} && DATABASE_URL=$PG/${DB[$c]} TRACKER_ENV=production SECRET_KEY=pairpairpairpairpairpairpairpairpairpair \
    TRACKER_SCHEDULER=off TRACKER_QUERY_HEADER=1 REDIS_URL= DB_APP_ROLE=tracker_app BASE_URL=http://127.0.0.1:${PORT[$c]} \
    PYTHONPATH=${DIR[$c]} exec $PY -m tracker.cli serve --port ${PORT[$c]} >/tmp/pair_$c.log 2>&1 &)
done
sleep 15
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
ROUTES="/healthz /o/load-0/ /o/load-0/initiatives/1 /o/load-0/initiatives/1/matrix /o/load-0/initiatives/1/heatmap /o/load-0/reviews/500 /o/load-0/kpis/1 /o/load-0/sop-versions/1"
for round in $(seq "$1"); do
  for p in $ROUTES; do
    line="$round $p"
    for c in old new; do
      pid=$(pgrep -f "serve --port ${PORT[$c]}" | head -1)
      csrf=$(curl -s -o /dev/null -c - http://127.0.0.1:${PORT[$c]}/login | awk '$6=="csrftoken" {print $7}')
      H="Cookie: tracker_session=${TOK[$c]}; csrftoken=$csrf"
      code=$(curl -s -o /dev/null -w '%{http_code}' -H "$H" http://127.0.0.1:${PORT[$c]}$p)
      wrk -t2 -c32 -d1s -H "$H" http://127.0.0.1:${PORT[$c]}$p >/dev/null
      a=$(cpu "$pid")
      out=$(wrk -t2 -c32 -d"$2"s --latency -H "$H" http://127.0.0.1:${PORT[$c]}$p)
      b=$(cpu "$pid")
      n=$(echo "$out" | awk '/requests in/ {print $1}')
      rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}'); p99=$(echo "$out" | awk '/ 99%/ {print $2}')
      line="$line | $c $code $rps $p99 $(python3 -c "print(round(($b-$a)/$tick/$n*1e6))")us"
    done
    echo "$line"
  done
done
pkill -f "serve --port 1820"

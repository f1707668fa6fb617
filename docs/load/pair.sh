#!/usr/bin/env bash
# Needs: the older code checked out in /work/wt/old with its venv and its own load seed
# (oldbench_4236), and bench seed bb_6529_seed_20x500 of today's benchmark; edit the names.
# Old code (de71c70) and main served side by side on their own copies of the same seed; wrk takes turns.
set -u
PG=postgresql://root@127.0.0.1
psql -h 127.0.0.1 -U root -d postgres -qc 'DROP DATABASE IF EXISTS pair_new' -c 'CREATE DATABASE pair_new TEMPLATE bb_6529_seed_20x500'
(cd /work/main && DATABASE_URL=$PG/pair_new .venv/bin/python -m tracker.cli migrate >/dev/null)
psql -h 127.0.0.1 -U root -d pair_new -qc 'VACUUM ANALYZE' 
declare -A TOK DIR URL PORT
DIR[old]=/work/wt/old; URL[old]=$PG/oldbench_4236; PORT[old]=18201
DIR[new]=/work/main;   URL[new]=$PG/pair_new;      PORT[new]=18202
for c in old new; do
  TOK[$c]=$(cd ${DIR[$c]} && DATABASE_URL=${URL[$c]} .venv/bin/python /work/main/docs/load/pair_session.py ${URL[$c]} | tail -1)
  (cd ${DIR[$c]} && DATABASE_URL=${URL[$c]} TRACKER_ENV=production SECRET_KEY=pairpairpairpairpairpairpairpairpairpair TRACKER_SCHEDULER=off TRACKER_QUERY_HEADER=1 REDIS_URL= DB_APP_ROLE=tracker_app BASE_URL=http://127.0.0.1:${PORT[$c]} .venv/bin/python -m tracker.cli serve --port ${PORT[$c]} >/tmp/pair_$c.log 2>&1 &)
done
sleep 20
first_old=$(psql -h 127.0.0.1 -U root -d oldbench_4236 -Atc "select min(i.id) from initiative i join organisation o on o.id=i.org where o.slug='load-0'")
first_new=$(psql -h 127.0.0.1 -U root -d pair_new -Atc "select min(i.id) from initiative i join organisation o on o.id=i.org where o.slug='load-0'")
declare -A FIRST; FIRST[old]=$first_old; FIRST[new]=$first_new
for round in 1 2 3; do
  for path in "/healthz" "/o/load-0/" "/o/load-0/initiatives/FIRST" "/o/load-0/initiatives/FIRST/matrix"; do
    for c in old new; do
      p=${path/FIRST/${FIRST[$c]}}
      csrf=$(curl -s -o /dev/null -c - http://127.0.0.1:${PORT[$c]}/login | awk '$6=="csrftoken" {print $7}')
      code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: tracker_session=${TOK[$c]}; csrftoken=$csrf" http://127.0.0.1:${PORT[$c]}$p)
      wrk -t2 -c32 -d2s -H "Cookie: tracker_session=${TOK[$c]}; csrftoken=$csrf" http://127.0.0.1:${PORT[$c]}$p >/dev/null
      r=$(wrk -t2 -c32 -d8s --latency -H "Cookie: tracker_session=${TOK[$c]}; csrftoken=$csrf" http://127.0.0.1:${PORT[$c]}$p)
      echo "round $round $c $code $path $(echo "$r" | awk '/Requests\/sec/ {print $2}') p99 $(echo "$r" | awk '/ 99%/ {print $2}')"
    done
  done
done
pkill -f "serve --port 1820"

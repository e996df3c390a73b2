#!/bin/sh
# Prints where it was built and a heartbeat; exits with CRASH_EXIT_CODE after CRASH_AFTER_S seconds when set
# (the demo uses that to show a crash-looping module failing the smoke test).
cat /build-info
i=0
while true; do
  echo "alive $i"
  i=$((i + 1))
  if [ -n "${CRASH_AFTER_S:-}" ] && [ "$((i * 5))" -ge "$CRASH_AFTER_S" ]; then exit "${CRASH_EXIT_CODE:-1}"; fi
  sleep 5
done

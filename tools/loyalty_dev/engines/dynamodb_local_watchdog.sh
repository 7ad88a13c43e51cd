#!/bin/sh
# The watchdog leads the process group and java joins it. Its stdin is a pipe from this Python
# process, which writes java's pid into it and nothing more: the pipe reaches EOF when Python
# closes it or dies in any way. The watchdog then ends the whole group: SIGTERM, up to 5 s for
# java to go, the server's temporary working directory ($1) removed, SIGKILL. It ignores SIGTERM
# itself so that it lives to do all that. stop() does the same itself and SIGKILLs the watchdog.
trap '' TERM INT HUP
read -r java_pid || :
while read -r _; do :; done
kill -TERM 0 2>/dev/null
i=0
while [ -n "$java_pid" ] && [ $i -lt 50 ] && kill -0 "$java_pid" 2>/dev/null; do
  sleep 0.1; i=$((i + 1))
done
[ -n "$1" ] && rm -rf -- "$1"
kill -KILL 0 2>/dev/null

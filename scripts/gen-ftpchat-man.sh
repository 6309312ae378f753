#!/bin/sh
# Builds man/ftpchat.1 from the one source of its options: `ftpchat --help` and each
# subcommand's --help (via help2man), plus man/ftpchat.h2m for the prose sections.
# Usage: gen-ftpchat-man.sh FTPCHAT_BINARY H2M_FILE OUTPUT
set -eu
bin=$1 h2m=$2 out=$3
include=$(mktemp)
trap 'rm -f "$include"' EXIT
cat "$h2m" > "$include"
printf '[COMMANDS]\n' >> "$include"
for sub in init send read verify chat "id show" "id certify" "id check"; do
  printf '.SS "ftpchat %s"\n.nf\n' "$sub" >> "$include"
  # Only the command's own part (the shared footer, "Passphrase rooms: ...", is already in the
  # page), roff-escaped. $sub is split on purpose: "id check" is two words.
  # shellcheck disable=SC2086
  "$bin" $sub --help | sed -n '/^Passphrase/q;p' |
    sed -e 's/\\/\\e/g' -e "s/^[.']/\\\\\\&&/" >> "$include"
  printf '.fi\n' >> "$include"
done
help2man --no-info --section 1 --name "use ftpchatfs chat rooms without FUSE" \
  --include "$include" --output "$out" "$bin"

#!/usr/bin/env bash
# Checks the one-way rule of the layout (README "Layout") with grep, on the sources as they are:
#   core/ (outside core/store/) includes only the standard library and core/;
#   adapters/ includes no bot/, store or config header;
#   each bot/ part includes only itself and the parts below it:
#     net <- ops <- team <- pipeline <- {directory, schedule, web, platforms/<each>} <- app (bot/*.cpp|h)
#     xlsx (reads workbooks into core's sheets) includes no other bot part
# Exits 1 and lists the offending lines when one breaks it.
set -euo pipefail
cd "$(dirname "$0")/.."
failed=0
offend() { echo "layout: $1"; failed=1; }

# core/: standard library and core/ only (its own headers, no third party).
while IFS= read -r line; do offend "core includes outside core: $line"; done < <(
  grep -rn '#include' core --include=*.h --include=*.cpp | grep -v '^core/store/' |
    grep -v '#include <[a-z_/]*\(\.h\)\?>' | grep -v '#include "core/' || true)
while IFS= read -r line; do offend "core includes a library: $line"; done < <(
  grep -rn '#include <\(nlohmann\|SQLiteCpp\|spdlog\|httplib\|openssl\|date\|boost\)' core --include=*.h --include=*.cpp |
    grep -v '^core/store/' || true)
# adapters/: no bot, store or config header.
while IFS= read -r line; do offend "adapters include bot/store/config: $line"; done < <(
  grep -rn '#include "\(bot\|core/store\|config\)/' adapters || true)

# bot/ parts: what each may include.
declare -A allowed=(
  [net]="net"
  [ops]="net ops"
  [team]="net ops team"
  [pipeline]="net ops team pipeline"
  [directory]="net ops team pipeline directory"
  [schedule]="net ops team pipeline schedule"
  [web]="net ops team pipeline web"
  [platforms/slack]="net ops team pipeline platforms/slack"
  [platforms/feishu]="net ops team pipeline platforms/feishu"
  [platforms/dingtalk]="net ops team pipeline platforms/dingtalk"
  [xlsx]="xlsx"
)
for part in "${!allowed[@]}"; do
  pattern=$(printf '%s\n' ${allowed[$part]} | sed 's|^|bot/|; s|$|/|' | paste -sd'|')
  while IFS= read -r line; do offend "bot/$part includes outside [${allowed[$part]}]: $line"; done < <(
    grep -rn '#include "bot/' "bot/$part" | grep -Ev "#include \"($pattern)[a-z_]+\.h\"" || true)
done
if ((failed)); then exit 1; fi
echo "layout: core, adapters and the bot parts include only what they may"

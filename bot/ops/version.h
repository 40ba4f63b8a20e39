#pragma once
// trackerd's version, for `--version`, /healthz and trackerd_build_info: the CMake project
// version, plus `git describe` of the tree it was built from when that was a git checkout
// ("0.1.0 (git 89c7db6ab1-dirty)"). Safe for concurrent use.

namespace bot {

const char* version();

}  // namespace bot

#include "bot/ops/version.h"

#include "build_version.h"  // generated: cmake/version.cmake

namespace bot {

const char* version() { return TRACKERD_VERSION; }

}  // namespace bot

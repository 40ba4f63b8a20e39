#include "core/result.h"

namespace core {

const char* to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::invalid_argument: return "invalid_argument";
        case ErrorCode::not_found: return "not_found";
        case ErrorCode::forbidden: return "forbidden";
        case ErrorCode::conflict: return "conflict";
        case ErrorCode::unauthorized: return "unauthorized";
        case ErrorCode::duplicate: return "duplicate";
        case ErrorCode::busy: return "busy";
        case ErrorCode::upstream: return "upstream";
        case ErrorCode::io: return "io";
        case ErrorCode::internal: return "internal";
    }
    return "internal";
}

}  // namespace core

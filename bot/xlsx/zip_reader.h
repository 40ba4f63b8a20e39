#pragma once
// Reads named entries of a zip archive held in memory (an .xlsx file), with a budget on the
// bytes inflated so that a small file cannot unpack into gigabytes (a zip bomb). Internal to
// bot/xlsx; minizip stays in the .cpp. Not safe for concurrent use: one reader per thread.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bot::xlsx {

class ZipReader {
public:
    // `bytes` must outlive the reader. invalid_argument when it is not a zip archive.
    static core::Result<std::unique_ptr<ZipReader>> open(std::string_view bytes, std::size_t max_inflated);
    ~ZipReader();
    ZipReader(const ZipReader&) = delete;
    ZipReader& operator=(const ZipReader&) = delete;

    // The entry's bytes, nullopt when there is no such entry (names compare case-insensitively,
    // as OPC part names do). invalid_argument when the entry is corrupt or when everything read
    // so far would exceed max_inflated bytes — counted as inflated, whatever the entry declares.
    core::Result<std::optional<std::string>> read(const std::string& name);

private:
    struct Impl;
    explicit ZipReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace bot::xlsx

#include "bot/xlsx/zip_reader.h"

#include <unzip.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace bot::xlsx {
namespace {

// minizip reads through these callbacks from the bytes in memory: no temporary file.
struct MemoryFile {
    std::string_view bytes;
    ZPOS64_T position = 0;
};

voidpf ZCALLBACK memory_open(voidpf opaque, const void*, int) { return opaque; }

uLong ZCALLBACK memory_read(voidpf, voidpf stream, void* buffer, uLong size) {
    auto* file = static_cast<MemoryFile*>(stream);
    ZPOS64_T left = file->bytes.size() - std::min<ZPOS64_T>(file->position, file->bytes.size());
    uLong n = static_cast<uLong>(std::min<ZPOS64_T>(size, left));
    if (n > 0) std::memcpy(buffer, file->bytes.data() + file->position, n);
    file->position += n;
    return n;
}

uLong ZCALLBACK memory_write(voidpf, voidpf, const void*, uLong) { return 0; }

ZPOS64_T ZCALLBACK memory_tell(voidpf, voidpf stream) { return static_cast<MemoryFile*>(stream)->position; }

long ZCALLBACK memory_seek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
    auto* file = static_cast<MemoryFile*>(stream);
    ZPOS64_T base = origin == ZLIB_FILEFUNC_SEEK_CUR ? file->position
                    : origin == ZLIB_FILEFUNC_SEEK_END ? file->bytes.size()
                                                       : 0;
    if (base + offset > file->bytes.size()) return -1;
    file->position = base + offset;
    return 0;
}

int ZCALLBACK memory_close(voidpf, voidpf) { return 0; }
int ZCALLBACK memory_error(voidpf, voidpf) { return 0; }

core::Error corrupt(const std::string& what) {
    return core::make_error(core::ErrorCode::invalid_argument, "the workbook is damaged: " + what);
}

}  // namespace

struct ZipReader::Impl {
    MemoryFile file;
    zlib_filefunc64_def functions{};
    unzFile zip = nullptr;
    std::size_t budget = 0;  // bytes that may still be inflated
    std::size_t limit = 0;
};

ZipReader::ZipReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

ZipReader::~ZipReader() {
    if (m_impl->zip) unzClose(m_impl->zip);
}

core::Result<std::unique_ptr<ZipReader>> ZipReader::open(std::string_view bytes, std::size_t max_inflated) {
    auto impl = std::make_unique<Impl>();
    impl->file.bytes = bytes;
    impl->budget = impl->limit = max_inflated;
    impl->functions = zlib_filefunc64_def{memory_open, memory_read, memory_write, memory_tell,
                                          memory_seek, memory_close, memory_error, &impl->file};
    impl->zip = unzOpen2_64("memory", &impl->functions);
    if (!impl->zip) return core::make_error(core::ErrorCode::invalid_argument, "not a zip archive");
    return std::unique_ptr<ZipReader>(new ZipReader(std::move(impl)));
}

core::Result<std::optional<std::string>> ZipReader::read(const std::string& name) {
    unzFile zip = m_impl->zip;
    if (unzLocateFile(zip, name.c_str(), 2 /* case-insensitive */) != UNZ_OK) return std::optional<std::string>{};
    unz_file_info64 info{};
    if (unzGetCurrentFileInfo64(zip, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) return corrupt(name);
    auto too_big = [&] {
        return core::make_error(core::ErrorCode::invalid_argument,
                                "the workbook unpacks to more than " + std::to_string(m_impl->limit / (1024 * 1024)) +
                                    " MB (" + name + "); refused");
    };
    if (info.uncompressed_size > m_impl->budget) return too_big();
    if (unzOpenCurrentFile(zip) != UNZ_OK) return corrupt(name + " cannot be opened (encrypted?)");
    std::string out;
    out.reserve(static_cast<std::size_t>(info.uncompressed_size));
    std::vector<char> chunk(64 * 1024);
    for (;;) {
        int n = unzReadCurrentFile(zip, chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
            unzCloseCurrentFile(zip);
            return corrupt(name + " does not inflate");
        }
        if (n == 0) break;
        if (static_cast<std::size_t>(n) > m_impl->budget - out.size()) {  // the declared size lied
            unzCloseCurrentFile(zip);
            return too_big();
        }
        out.append(chunk.data(), static_cast<std::size_t>(n));
    }
    if (unzCloseCurrentFile(zip) != UNZ_OK) return corrupt(name + " fails its checksum");
    m_impl->budget -= out.size();
    return std::optional<std::string>{std::move(out)};
}

}  // namespace bot::xlsx

#include "core/csv.h"

namespace core {
namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

}  // namespace

Result<std::vector<CsvRecord>> parse_csv(std::string_view text) {
    if (text.starts_with(k_bom)) text.remove_prefix(k_bom.size());
    std::vector<CsvRecord> records;
    CsvRecord record;
    std::string field;
    bool in_quotes = false;
    bool was_quoted = false;
    auto row_error = [&](const std::string& what) {
        return make_error(ErrorCode::invalid_argument,
                          "row " + std::to_string(records.size() + 1) + ": " + what);
    };
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (in_quotes) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                i += 2;
                continue;
            }
            if (c == '"')
                in_quotes = false;
            else
                field += c;
            ++i;
            continue;
        }
        if (c == ',' || c == '\r' || c == '\n') {
            record.push_back(std::move(field));
            field.clear();
            was_quoted = false;
            if (c != ',') {
                records.push_back(std::move(record));
                record.clear();
                if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            }
            ++i;
            continue;
        }
        if (was_quoted)
            return row_error("text after a closing quote in field " +
                             std::to_string(record.size() + 1));
        if (c == '"' && field.empty()) {
            in_quotes = was_quoted = true;
        } else {
            field += c;  // a quote inside an unquoted field is kept as written
        }
        ++i;
    }
    if (in_quotes) return row_error("a quoted field is not closed");
    if (!field.empty() || was_quoted || !record.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
    }
    return records;
}

std::string write_csv(const std::vector<CsvRecord>& records) {
    std::string out;
    for (const auto& record : records) {
        for (size_t i = 0; i < record.size(); ++i) {
            if (i) out += ',';
            const std::string& field = record[i];
            if (field.find_first_of(",\"\r\n") == std::string::npos) {
                out += field;
                continue;
            }
            out += '"';
            for (char c : field) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
            out += '"';
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace core

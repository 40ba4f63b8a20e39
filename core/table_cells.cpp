#include "core/table_cells.h"

#include <charconv>
#include <cmath>

namespace core::table_cells {

bool strip_suffix(std::string_view& text, std::string_view suffix) {
    if (!text.ends_with(suffix)) return false;
    text.remove_suffix(suffix.size());
    return true;
}

bool is_blank(const CsvRecord& record) {
    for (const auto& field : record)
        if (!trim(field).empty()) return false;
    return true;
}

Result<size_t> header_row(const std::vector<CsvRecord>& records) {
    size_t at = 0;
    while (at < records.size() && is_blank(records[at])) ++at;
    if (at == records.size()) return make_error(ErrorCode::invalid_argument, "the table is empty");
    return at;
}

// Splits a list cell on ';', ',' and their full-width forms, and on the enumeration comma 、.
std::vector<std::string> split_list(std::string_view text) {
    static constexpr std::array<std::string_view, 5> separators{";", ",", "；", "，", "、"};
    std::vector<std::string> items;
    size_t start = 0;
    size_t i = 0;
    auto flush = [&](size_t end) {
        auto item = trim(text.substr(start, end - start));
        if (!item.empty()) items.emplace_back(item);
    };
    while (i < text.size()) {
        size_t matched = 0;
        for (auto separator : separators)
            if (text.substr(i).starts_with(separator)) matched = separator.size();
        if (matched == 0) {
            ++i;
            continue;
        }
        flush(i);
        i += matched;
        start = i;
    }
    flush(text.size());
    return items;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? std::string(separator) : "") + items[i];
    return out;
}

// A plain number: "5000000", "5,000,000", "12.5". Not "inf" or "nan".
std::optional<double> parse_number(std::string_view text) {
    std::string digits;
    for (char c : text)
        if (c != ',') digits += c;
    double value = 0;
    const char* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, value);
    if (digits.empty() || ec != std::errc() || ptr != end || !std::isfinite(value))
        return std::nullopt;
    return value;
}

// Shortest fixed notation that reads back to the same double: 5000000, 35, 0.5.
std::string format_number(double value) {
    std::array<char, 64> buffer{};
    auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                   std::chars_format::fixed);
    if (ec != std::errc()) return "0";
    return std::string(buffer.data(), ptr);
}

// English headers match case-insensitively, with ' ' or '-' for '_'.
std::string header_key(std::string_view text) {
    std::string key;
    for (char c : trim(text)) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        key += (c == ' ' || c == '-') ? '_' : c;
    }
    return key;
}

std::string date_cell(const std::optional<Date>& date) {
    return date ? format_iso_date(*date) : "";
}

}  // namespace core::table_cells

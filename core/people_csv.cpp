#include "core/people_csv.h"

#include <array>
#include <map>
#include <string>

#include "core/csv.h"
#include "core/table_cells.h"

namespace core {
namespace {

using table_cells::header_key;
using table_cells::is_blank;
using table_cells::trim;

struct PeopleColumn {
    std::string Person::*field;
    std::array<std::string_view, 5> names;  // header keys (header_key form); "" = unused
};

// Each column's header names, Chinese first.
const std::array<PeopleColumn, 8> k_columns{{
    {&Person::name, {"姓名", "name"}},
    {&Person::id, {"编号", "id"}},
    {&Person::department, {"部门", "department"}},
    {&Person::email, {"邮箱", "email"}},
    {&Person::mobile, {"手机", "mobile", "手机号", "电话", "phone"}},
    {&Person::slack, {"slack"}},
    {&Person::feishu, {"飞书", "feishu"}},
    {&Person::dingtalk, {"钉钉", "dingtalk"}},
}};
constexpr size_t k_name = 0;
constexpr size_t k_id = 1;

Error row_error(size_t row, const std::string& what) {
    return make_error(ErrorCode::invalid_argument, "row " + std::to_string(row) + ": " + what);
}

std::string known_columns() {
    std::string out;
    for (const auto& column : k_columns)
        for (auto name : column.names)
            if (!name.empty()) out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

// Spec position -> file column (-1 when absent).
Result<std::array<int, k_columns.size()>> map_columns(const CsvRecord& header, size_t row) {
    std::array<int, k_columns.size()> index;
    index.fill(-1);
    std::string unknown;
    for (size_t col = 0; col < header.size(); ++col) {
        std::string key = header_key(header[col]);
        if (key.empty()) continue;
        size_t found = k_columns.size();
        for (size_t c = 0; c < k_columns.size() && found == k_columns.size(); ++c)
            for (auto name : k_columns[c].names)
                if (!name.empty() && key == name) found = c;
        if (found == k_columns.size()) {
            unknown += (unknown.empty() ? "'" : ", '") + std::string(trim(header[col])) + "'";
            continue;
        }
        if (index[found] >= 0)
            return row_error(row, "column '" + std::string(trim(header[col])) + "' appears twice");
        index[found] = static_cast<int>(col);
    }
    if (!unknown.empty())
        return row_error(
            row, "unknown column " + unknown + " (the columns are " + known_columns() + ")");
    if (index[k_name] < 0) return row_error(row, "missing column 姓名 / name");
    return index;
}

}  // namespace

Result<std::vector<Person>> parse_people_csv(std::string_view csv) {
    auto records = parse_csv(csv);
    if (!records) return records.error();
    auto header_at = table_cells::header_row(*records);
    if (!header_at) return header_at.error();
    const CsvRecord& header = (*records)[*header_at];
    auto index = map_columns(header, *header_at + 1);
    if (!index) return index.error();

    std::vector<Person> people;
    std::map<std::string, size_t> row_of_id;
    for (size_t r = *header_at + 1; r < records->size(); ++r) {
        const CsvRecord& record = (*records)[r];
        const size_t row = r + 1;
        if (is_blank(record)) continue;
        for (size_t col = header.size(); col < record.size(); ++col)
            if (!trim(record[col]).empty())
                return row_error(row, "a cell right of the last column's header");
        Person person;
        for (size_t c = 0; c < k_columns.size(); ++c) {
            int col = (*index)[c];
            if (col >= 0 && static_cast<size_t>(col) < record.size())
                person.*k_columns[c].field = std::string(trim(record[static_cast<size_t>(col)]));
        }
        if (person.name.empty())
            return row_error(row,
                             "no name (" +
                                 std::string(trim(header[static_cast<size_t>((*index)[k_name])])) +
                                 "): every person needs one");
        if (person.id.empty()) person.id = person.name;
        if (auto [it, inserted] = row_of_id.emplace(person.id, row); !inserted)
            return row_error(
                row,
                "duplicate id '" + person.id + "' (first on row " + std::to_string(it->second) +
                    ")" +
                    ((*index)[k_id] < 0 ? ": the id is the name; add an 编号 / id column" : ""));
        people.push_back(std::move(person));
    }
    return people;
}

}  // namespace core

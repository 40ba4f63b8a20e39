#include "bot/xlsx/xlsx_reader.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>

#include "bot/xlsx/xlsx_cells.h"
#include "bot/xlsx/zip_reader.h"

namespace bot::xlsx {
namespace {

using core::ErrorCode;
using core::make_error;

// Elements and attributes by local name: generators differ in prefixes (x:c, s:sheet) and
// Strict OOXML in namespaces, never in local names.
std::string_view local_name(const char* name) {
    std::string_view view(name);
    size_t colon = view.find(':');
    return colon == std::string_view::npos ? view : view.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node node, std::string_view name) {
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
    return {};
}

template <typename Visit>
void each_child(pugi::xml_node node, std::string_view name, Visit visit) {
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element && local_name(c.name()) == name) visit(c);
}

// The relationship id of a <sheet>: r:id whatever the prefix.
std::string relationship_id(pugi::xml_node sheet) {
    for (pugi::xml_attribute a = sheet.first_attribute(); a; a = a.next_attribute())
        if (std::string_view(a.name()).find(':') != std::string_view::npos && local_name(a.name()) == "id")
            return a.value();
    return "";
}

// The text of a string item (<si> or <is>): <t>, or rich-text runs <r><t>; phonetic <rPh> dropped.
std::string string_item(pugi::xml_node item) {
    std::string text;
    for (pugi::xml_node c = item.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        std::string_view name = local_name(c.name());
        if (name == "t") text += c.text().get();
        if (name == "r") text += child(c, "t").text().get();
    }
    return decode_escapes(text);
}

// One workbook being read: the zip, the parsed parts' budget, and the shared tables.
class Workbook {
public:
    Workbook(ZipReader& zip, const XlsxLimits& limits) : m_zip(zip), m_limits(limits) {}

    core::Result<std::vector<core::SheetGrid>> read() {
        auto main_part = workbook_part();
        if (!main_part) return main_part.error();
        auto book = parse(*main_part, true);
        if (!book) return book.error();
        pugi::xml_node root = (*book)->document_element();
        if (pugi::xml_node properties = child(root, "workbookPr")) {
            std::string_view value = properties.attribute("date1904").value();
            m_date1904 = value == "1" || value == "true";
        }
        auto targets = relationships(*main_part);
        if (!targets) return targets.error();
        std::string base = directory_of(*main_part);
        if (auto loaded = load_strings(*targets, base); !loaded) return loaded.error();
        if (auto loaded = load_styles(*targets, base); !loaded) return loaded.error();

        std::vector<core::SheetGrid> sheets;
        size_t position = 0;
        std::vector<pugi::xml_node> listed;
        each_child(child(root, "sheets"), "sheet", [&](pugi::xml_node sheet) { listed.push_back(sheet); });
        for (pugi::xml_node sheet : listed) {
            ++position;
            auto target = targets->find(relationship_id(sheet));
            std::string path = target != targets->end() ? resolve(base, target->second.target)
                                                        : base + "worksheets/sheet" + std::to_string(position) + ".xml";
            if (target != targets->end() && !target->second.type.ends_with("/worksheet")) continue;  // a chart sheet
            auto grid = read_sheet(path, sheet.attribute("name").value());
            if (!grid) return grid.error();
            if (*grid) sheets.push_back(std::move(**grid));
        }
        return sheets;
    }

private:
    struct Target {
        std::string type;
        std::string target;
    };
    using Targets = std::map<std::string, Target>;

    static std::string directory_of(const std::string& path) {
        size_t slash = path.rfind('/');
        return slash == std::string::npos ? "" : path.substr(0, slash + 1);
    }

    // A relationship target: absolute ("/xl/worksheets/sheet1.xml") or relative to `base`.
    static std::string resolve(const std::string& base, const std::string& target) {
        std::string path = !target.empty() && target.front() == '/' ? target.substr(1) : base + target;
        std::vector<std::string> parts;
        for (size_t start = 0; start <= path.size();) {
            size_t slash = std::min(path.find('/', start), path.size());
            std::string part = path.substr(start, slash - start);
            if (part == "..") {
                if (!parts.empty()) parts.pop_back();
            } else if (!part.empty() && part != ".") {
                parts.push_back(std::move(part));
            }
            start = slash + 1;
        }
        std::string out;
        for (const auto& part : parts) out += (out.empty() ? "" : "/") + part;
        return out;
    }

    // The part's bytes parsed; nullopt-like empty document when absent and not `required`.
    core::Result<std::unique_ptr<pugi::xml_document>> parse(const std::string& path, bool required) {
        auto bytes = m_zip.read(path);
        if (!bytes) return bytes.error();
        auto document = std::make_unique<pugi::xml_document>();
        if (!*bytes) {
            if (required) return make_error(ErrorCode::invalid_argument, "not an Excel workbook: it has no " + path);
            return document;
        }
        // pugixml never reads a DTD or expands an entity other than the five predefined ones.
        pugi::xml_parse_result parsed =
            document->load_buffer((*bytes)->data(), (*bytes)->size(), pugi::parse_default | pugi::parse_ws_pcdata_single,
                                  pugi::encoding_utf8);
        if (!parsed)
            return make_error(ErrorCode::invalid_argument, "the workbook's " + path + " is not readable XML (" +
                                                               parsed.description() + " at byte " +
                                                               std::to_string(parsed.offset) + ")");
        return document;
    }

    // The workbook part named by the package's relationships, else the usual xl/workbook.xml.
    core::Result<std::string> workbook_part() {
        auto package = parse("_rels/.rels", false);
        if (!package) return package.error();
        std::string found = "xl/workbook.xml";
        each_child((*package)->document_element(), "Relationship", [&](pugi::xml_node r) {
            if (std::string_view(r.attribute("Type").value()).ends_with("/officeDocument"))
                found = resolve("", r.attribute("Target").value());
        });
        return found;
    }

    core::Result<Targets> relationships(const std::string& part) {
        std::string base = directory_of(part);
        auto rels = parse(base + "_rels/" + part.substr(base.size()) + ".rels", false);
        if (!rels) return rels.error();
        Targets targets;
        each_child((*rels)->document_element(), "Relationship", [&](pugi::xml_node r) {
            targets[r.attribute("Id").value()] = Target{r.attribute("Type").value(), r.attribute("Target").value()};
        });
        return targets;
    }

    std::string part_of_type(const Targets& targets, const std::string& base, std::string_view type,
                             const char* usual) {
        for (const auto& [id, target] : targets)
            if (std::string_view(target.type).ends_with(type)) return resolve(base, target.target);
        return base + usual;
    }

    core::Result<void> load_strings(const Targets& targets, const std::string& base) {
        auto document = parse(part_of_type(targets, base, "/sharedStrings", "sharedStrings.xml"), false);
        if (!document) return document.error();
        each_child((*document)->document_element(), "si",
                   [&](pugi::xml_node item) { m_strings.push_back(string_item(item)); });
        return core::ok();
    }

    // Which cell styles (xf index) show numbers as dates or percentages.
    core::Result<void> load_styles(const Targets& targets, const std::string& base) {
        auto document = parse(part_of_type(targets, base, "/styles", "styles.xml"), false);
        if (!document) return document.error();
        pugi::xml_node root = (*document)->document_element();
        std::map<int, std::string> codes;
        each_child(child(root, "numFmts"), "numFmt", [&](pugi::xml_node format) {
            codes[format.attribute("numFmtId").as_int()] = format.attribute("formatCode").value();
        });
        each_child(child(root, "cellXfs"), "xf", [&](pugi::xml_node xf) {
            int id = xf.attribute("numFmtId").as_int();
            auto code = codes.find(id);
            m_styles.push_back(classify_number_format(id, code == codes.end() ? "" : code->second));
        });
        return core::ok();
    }

    core::Result<std::optional<core::SheetGrid>> read_sheet(const std::string& path, const std::string& name);
    core::Result<void> put(core::SheetGrid& grid, CellRef at, std::string text);
    std::string cell_text(pugi::xml_node cell);

    ZipReader& m_zip;
    const XlsxLimits& m_limits;
    bool m_date1904 = false;
    std::vector<std::string> m_strings;
    std::vector<NumberKind> m_styles;  // by xf index
    size_t m_cells = 0;                // grid slots so far, all sheets
};

std::string Workbook::cell_text(pugi::xml_node cell) {
    std::string_view type = cell.attribute("t").value();
    std::string value = child(cell, "v").text().get();
    if (type == "s") {
        char* end = nullptr;
        unsigned long index = std::strtoul(value.c_str(), &end, 10);
        return !value.empty() && *end == '\0' && index < m_strings.size() ? m_strings[index] : "";
    }
    if (type == "inlineStr") return string_item(child(cell, "is"));
    if (type == "str" || type == "e") return decode_escapes(value);
    if (type == "b") return value == "1" ? "TRUE" : value.empty() ? "" : "FALSE";
    if (type == "d") return value.substr(0, std::min<size_t>(value.size(), 10));  // ISO 8601 date-time
    if (value.empty()) return "";
    char* end = nullptr;
    double number = std::strtod(value.c_str(), &end);
    if (*end != '\0') return value;
    size_t style = cell.attribute("s").as_uint();
    NumberKind kind = style < m_styles.size() ? m_styles[style] : NumberKind::plain;
    return render_number(number, kind, m_date1904);
}

core::Result<void> Workbook::put(core::SheetGrid& grid, CellRef at, std::string text) {
    size_t added = 0;
    if (grid.rows.size() <= at.row) added += at.row + 1 - grid.rows.size();
    size_t width = at.row < grid.rows.size() ? grid.rows[at.row].size() : 0;
    if (width <= at.col) added += at.col + 1 - width;
    if (added > m_limits.max_cells - m_cells)
        return make_error(ErrorCode::invalid_argument, "the workbook has more than " + std::to_string(m_limits.max_cells) +
                                                           " cells (sheet '" + grid.name + "'); refused");
    m_cells += added;
    if (grid.rows.size() <= at.row) grid.rows.resize(at.row + 1);
    auto& row = grid.rows[at.row];
    if (row.size() <= at.col) row.resize(at.col + 1);
    row[at.col] = std::move(text);
    return core::ok();
}

core::Result<std::optional<core::SheetGrid>> Workbook::read_sheet(const std::string& path, const std::string& name) {
    auto document = parse(path, false);
    if (!document) return document.error();
    pugi::xml_node root = (*document)->document_element();
    if (!root) return std::optional<core::SheetGrid>{};  // listed but absent: nothing to read
    core::SheetGrid grid;
    grid.name = name;
    size_t next_row = 0;
    std::optional<core::Error> failed;
    each_child(child(root, "sheetData"), "row", [&](pugi::xml_node row) {
        if (failed) return;
        size_t row_index = row.attribute("r") ? row.attribute("r").as_uint() - 1 : next_row;
        next_row = row_index + 1;
        size_t next_col = 0;
        each_child(row, "c", [&](pugi::xml_node cell) {
            if (failed) return;
            CellRef at{row_index, next_col};
            if (pugi::xml_attribute ref = cell.attribute("r")) {
                auto parsed = parse_cell_ref(ref.value());
                if (!parsed) {
                    failed = make_error(ErrorCode::invalid_argument, "sheet '" + name + "': bad cell reference '" +
                                                                         ref.value() + "'");
                    return;
                }
                at = *parsed;
            }
            next_col = at.col + 1;
            if (at.row >= 1'048'576) {
                failed = make_error(ErrorCode::invalid_argument, "sheet '" + name + "': a row beyond 1048576");
                return;
            }
            std::string text = cell_text(cell);
            if (text.empty()) return;  // a formatted empty cell widens nothing
            if (auto stored = put(grid, at, std::move(text)); !stored) failed = stored.error();
        });
    });
    if (failed) return *failed;
    each_child(child(root, "mergeCells"), "mergeCell", [&](pugi::xml_node merge) {
        auto range = parse_range(merge.attribute("ref").value());
        if (failed || !range) return;
        if (m_cells >= m_limits.max_cells) {  // each range counts as a cell
            failed = make_error(ErrorCode::invalid_argument, "the workbook has more than " +
                                                                 std::to_string(m_limits.max_cells) + " cells; refused");
            return;
        }
        ++m_cells;
        grid.merged.push_back(*range);
    });
    if (failed) return *failed;
    return std::optional<core::SheetGrid>{std::move(grid)};
}

}  // namespace

bool looks_like_zip(std::string_view bytes) { return bytes.starts_with(std::string_view("PK\x03\x04", 4)); }

core::Result<std::vector<core::SheetGrid>> read_xlsx(std::string_view bytes, const XlsxLimits& limits) {
    if (bytes.size() > limits.max_bytes)
        return make_error(ErrorCode::invalid_argument,
                          "the file is larger than " + std::to_string(limits.max_bytes / (1024 * 1024)) + " MB; refused");
    if (bytes.starts_with(std::string_view("\xD0\xCF\x11\xE0", 4)))
        return make_error(ErrorCode::invalid_argument,
                          "not an .xlsx workbook: an old .xls file or a password-protected workbook; save it as .xlsx "
                          "(Excel Workbook) without a password");
    if (!looks_like_zip(bytes)) return make_error(ErrorCode::invalid_argument, "not an .xlsx workbook (not a zip archive)");
    auto zip = ZipReader::open(bytes, limits.max_bytes);
    if (!zip) return make_error(ErrorCode::invalid_argument, "not an .xlsx workbook (" + zip.error().message + ")");
    Workbook workbook(**zip, limits);
    return workbook.read();
}

}  // namespace bot::xlsx

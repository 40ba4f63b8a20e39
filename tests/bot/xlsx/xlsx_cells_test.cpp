// Table-driven tests of bot/xlsx/xlsx_cells.h: number formats, date serials, cell references and
// string escapes as Excel, WPS and LibreOffice write them.

#include "bot/xlsx/xlsx_cells.h"

#include <gtest/gtest.h>

namespace bot::xlsx {
namespace {

TEST(NumberFormatTest, DatesPercentagesAndPlainNumbersAreToldApart) {
    struct Case {
        int id;
        const char* code;
        NumberKind kind;
    };
    const Case cases[] = {
        {0, "", NumberKind::plain},
        {14, "", NumberKind::date},   // m/d/yyyy, yyyy/m/d in a Chinese Excel
        {22, "", NumberKind::date},   // m/d/yyyy h:mm
        {31, "", NumberKind::date},   // yyyy"年"m"月"d"日" (CJK built-in)
        {57, "", NumberKind::date},   // yyyy"年"m"月" (CJK built-in)
        {9, "", NumberKind::percent},
        {10, "", NumberKind::percent},
        {4, "", NumberKind::plain},   // #,##0.00
        {164, "yyyy-mm-dd", NumberKind::date},
        {164, "yyyy/m/d", NumberKind::date},
        {164, "yyyy\"年\"m\"月\"d\"日\"", NumberKind::date},
        {164, "[$-409]d\\-mmm\\-yy;@", NumberKind::date},
        {164, "[DBNum1][$-804]yyyy\"年\"m\"月\"d\"日\"", NumberKind::date},
        {164, "mmm-yy", NumberKind::date},
        {164, "0.0%", NumberKind::percent},
        {164, "0%;[Red]-0%", NumberKind::percent},
        {164, "h:mm:ss", NumberKind::plain},       // a time of day, not a date
        {164, "[h]:mm", NumberKind::plain},
        {164, "General", NumberKind::plain},
        {164, "0.00E+00", NumberKind::plain},
        {164, "#,##0\"天\"", NumberKind::plain},    // "days" quoted: not a date
        {164, "\"d\"0", NumberKind::plain},
        {164, "[$¥-804]#,##0.00", NumberKind::plain},
    };
    for (const auto& c : cases)
        EXPECT_EQ(classify_number_format(c.id, c.code), c.kind) << c.id << " " << c.code;
}

TEST(NumberTextTest, NumbersReadAsAPersonSeesThem) {
    struct Case {
        double value;
        NumberKind kind;
        bool date1904;
        const char* text;
    };
    const Case cases[] = {
        {45352, NumberKind::date, false, "2024-03-01"},
        {45352.75, NumberKind::date, false, "2024-03-01"},  // the time of day dropped
        {43891, NumberKind::date, true, "2024-03-02"},      // 1904 system: 1462 days fewer
        {0, NumberKind::date, true, "1904-01-01"},
        {1, NumberKind::date, false, "1900-01-01"},
        {59, NumberKind::date, false, "1900-02-28"},
        {61, NumberKind::date, false, "1900-03-01"},        // after Excel's phantom 1900-02-29
        {2958465, NumberKind::date, false, "9999-12-31"},
        {-1, NumberKind::date, false, "-1"},                // not a date any more: a number
        {0.6, NumberKind::percent, false, "60%"},
        {0.35, NumberKind::percent, false, "35%"},
        {0.125, NumberKind::percent, false, "12.5%"},
        {1, NumberKind::percent, false, "100%"},
        {5000000, NumberKind::plain, false, "5000000"},
        {12.5, NumberKind::plain, false, "12.5"},
        {-3, NumberKind::plain, false, "-3"},
        {0.1, NumberKind::plain, false, "0.1"},
    };
    for (const auto& c : cases) EXPECT_EQ(render_number(c.value, c.kind, c.date1904), c.text) << c.value;
}

TEST(CellRefTest, ReferencesAndRanges) {
    EXPECT_EQ(parse_cell_ref("A1")->row, 0u);
    EXPECT_EQ(parse_cell_ref("A1")->col, 0u);
    EXPECT_EQ(parse_cell_ref("AB12")->col, 27u);
    EXPECT_EQ(parse_cell_ref("AB12")->row, 11u);
    EXPECT_EQ(parse_cell_ref("$C$3")->col, 2u);
    EXPECT_EQ(parse_cell_ref("XFD1048576")->col, 16383u);
    for (const char* bad : {"", "A", "1", "A0", "a1", "XFE1", "A1048577", "A1B", "ABCD1"})
        EXPECT_FALSE(parse_cell_ref(bad)) << bad;
    auto range = parse_range("B2:D3");
    ASSERT_TRUE(range);
    EXPECT_EQ(range->first_row, 1u);
    EXPECT_EQ(range->first_col, 1u);
    EXPECT_EQ(range->last_row, 2u);
    EXPECT_EQ(range->last_col, 3u);
    EXPECT_FALSE(parse_range("D3:B2"));
    EXPECT_FALSE(parse_range("B2"));
}

TEST(StringEscapeTest, OoxmlEscapesAreDecoded) {
    EXPECT_EQ(decode_escapes("a_x000D_b"), "a\rb");
    EXPECT_EQ(decode_escapes("_x005F_x000D_"), "_x000D_");
    EXPECT_EQ(decode_escapes("_x4E2D_"), "中");
    EXPECT_EQ(decode_escapes("T_x0_ and _xZZZZ_"), "T_x0_ and _xZZZZ_");
}

}  // namespace
}  // namespace bot::xlsx

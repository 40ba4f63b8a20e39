// The plan-change grammar (issue 23): add, assign, approver, re-plan, cancel and restore, in
// Chinese, English and mixed; the parts of an add line in any order; a line missing parts says
// which. Also English month dates in every command that takes a date. Fixed `today`: 2026-11-23.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/command.h"
#include "core/command_parser.h"

namespace core {
namespace {

ParseContext make_context() {
    ParseContext context;
    context.today = make_date(2026, 11, 23);
    context.mentions = {{"小红", "xiaohong"}, {"经理", "jingli"}, {"Hong Li", "hong"}, {"陌生人", ""}};
    context.bot_names = {"@TaskBot"};
    return context;
}

// Unset fields are not checked; kind "" means the line fails with `error` (and `missing`).
struct Row {
    std::string_view input;
    std::string_view kind;
    std::string_view task = "";
    const char* person = nullptr;       // resolved mention
    const char* person_name = nullptr;  // typed name, resolved later
    const char* name = nullptr;
    const char* start = nullptr;
    const char* finish = nullptr;
    const char* predecessors = nullptr;  // joined with ','
    const char* module = nullptr;
    const char* project = nullptr;
    const char* reason = nullptr;
    std::string_view error = "";
    const char* missing = nullptr;  // joined with ','
};

constexpr Row k_rows[] = {
    // Add, as the issue writes it, and with the parts moved around or left out.
    {.input = "新建 T008 海报投放 负责人 @小红 04-20 到 04-28 前置 T004 模块 M3", .kind = "add_task", .task = "T008",
     .person = "xiaohong", .name = "海报投放", .start = "2027-04-20", .finish = "2027-04-28", .predecessors = "T004",
     .module = "M3"},
    {.input = "新建 T008 海报投放 负责人 @小红 04-20 到 04-28 [前置 T004] [模块 M3]", .kind = "add_task", .task = "T008",
     .person = "xiaohong", .name = "海报投放", .predecessors = "T004", .module = "M3"},
    {.input = "add T008 poster run owner @小红 from 04-20 to 04-28 [after T004] [in M3]", .kind = "add_task",
     .task = "T008", .person = "xiaohong", .name = "poster run", .start = "2027-04-20", .finish = "2027-04-28",
     .predecessors = "T004", .module = "M3"},
    {.input = "add Poster Run in Malls owner @Hong Li from Dec 1 to Dec 12 after T004, T005", .kind = "add_task",
     .task = "", .person = "hong", .name = "Poster Run in Malls", .start = "2026-12-01", .finish = "2026-12-12",
     .predecessors = "T004,T005", .module = ""},
    {.input = "新建 海报投放 @小红 12-01 至 12-12", .kind = "add_task", .task = "", .person = "xiaohong",
     .name = "海报投放", .start = "2026-12-01", .finish = "2026-12-12"},
    {.input = "新增任务 门店物料 负责人 小红 12-01~12-05 前置 T004、T005 项目 P2", .kind = "add_task",
     .person_name = "小红", .name = "门店物料", .finish = "2026-12-05", .predecessors = "T004,T005", .project = "P2"},
    {.input = "@TaskBot add T009 KOL brief owner @经理 from 12/1 to 12/3 in M3", .kind = "add_task", .task = "T009",
     .person = "jingli", .name = "KOL brief", .module = "M3"},
    {.input = "新建 T008 海报投放", .kind = "", .error = "missing_parts", .missing = "owner,dates"},
    {.input = "add T008 owner @小红 from 04-20 to 04-28", .kind = "", .error = "missing_parts", .missing = "name"},
    {.input = "新建 T008 海报投放 负责人 @小红 04-20", .kind = "", .error = "missing_parts", .missing = "dates"},
    {.input = "新建", .kind = "", .error = "missing_parts", .missing = "name,owner,dates"},
    {.input = "新建 T008 海报投放 负责人 @陌生人 04-20 到 04-28", .kind = "", .error = "unknown_person"},
    // Reassign and approver.
    {.input = "T003 负责人 @小红", .kind = "assign", .task = "T003", .person = "xiaohong"},
    {.input = "assign T003 to @小红", .kind = "assign", .task = "T003", .person = "xiaohong"},
    {.input = "T003 owner @Hong Li", .kind = "assign", .task = "T003", .person = "hong"},
    {.input = "T003 转给 小红", .kind = "assign", .task = "T003", .person_name = "小红"},
    {.input = "T003 负责人", .kind = "", .error = "missing_parts", .missing = "person"},
    {.input = "assign T003 to @陌生人", .kind = "", .error = "unknown_person"},
    {.input = "T003 审批 @经理", .kind = "set_approver", .task = "T003", .person = "jingli"},
    {.input = "T003 approver @经理", .kind = "set_approver", .task = "T003", .person = "jingli"},
    {.input = "T003 审批人：@经理", .kind = "set_approver", .task = "T003", .person = "jingli"},
    // Re-plan (not started yet).
    {.input = "T005 计划 04-22 到 04-30", .kind = "replan", .task = "T005", .start = "2027-04-22", .finish = "2027-04-30"},
    {.input = "plan T005 04-22 to 04-30", .kind = "replan", .task = "T005", .start = "2027-04-22", .finish = "2027-04-30"},
    {.input = "plan T005 from Dec 2 to Dec 9", .kind = "replan", .task = "T005", .start = "2026-12-02", .finish = "2026-12-09"},
    {.input = "plan T005 to December 24th", .kind = "replan", .task = "T005", .finish = "2026-12-24"},
    {.input = "T005 计划", .kind = "", .error = "missing_parts", .missing = "dates"},
    {.input = "T005 计划 下个月吧", .kind = "", .error = "bad_date"},
    // Cancel (a reason is required) and restore.
    {.input = "T006 取消 原因: 预算调整", .kind = "cancel", .task = "T006", .reason = "预算调整"},
    {.input = "cancel T006 because the budget moved", .kind = "cancel", .task = "T006", .reason = "the budget moved"},
    {.input = "T006 取消", .kind = "", .error = "missing_reason"},
    {.input = "T006 取消阻塞", .kind = "unblock", .task = "T006"},  // still unblock: the longer word wins
    {.input = "T006 恢复", .kind = "restore", .task = "T006"},
    {.input = "restore T006", .kind = "restore", .task = "T006"},
    // English dates in the existing commands.
    {.input = "delay T003 to Dec 24 because the printer is late", .kind = "delay", .task = "T003", .finish = "2026-12-24",
     .reason = "the printer is late"},
    {.input = "delay T003 to 24 Dec because the printer is late", .kind = "delay", .task = "T003", .finish = "2026-12-24"},
    {.input = "delay T003 to December 24th because x", .kind = "delay", .task = "T003", .finish = "2026-12-24"},
    {.input = "delay T003 to Dec. 24 because x", .kind = "delay", .task = "T003", .finish = "2026-12-24"},
    {.input = "delay T003 to Jan 5, 2027 because x", .kind = "delay", .task = "T003", .finish = "2027-01-05"},
    {.input = "delay T003 to 5th of January because x", .kind = "delay", .task = "T003", .finish = "2027-01-05"},
    {.input = "T003 延期 Dec 24 原因: 印厂排期", .kind = "delay", .task = "T003", .finish = "2026-12-24"},
};

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

TEST(PlanGrammarTest, ReadsEveryPlanChangeOfTheTable) {
    const ParseContext context = make_context();
    for (const Row& row : k_rows) {
        SCOPED_TRACE(testing::PrintToString(std::string(row.input)));
        ParsedLine line = parse_line(row.input, context);
        if (row.kind.empty()) {
            EXPECT_FALSE(line.command.has_value()) << to_string(line.command->kind);
            EXPECT_EQ(line.error, row.error);
            if (row.missing) {
                EXPECT_EQ(joined(line.missing), row.missing);
            }
            EXPECT_FALSE(line.suggestion.empty()) << "a refusal shows a valid example";
            EXPECT_TRUE(parse_line(line.suggestion, context).command) << "the suggestion reads back: " << line.suggestion;
            continue;
        }
        ASSERT_TRUE(line.command.has_value()) << line.error << " " << joined(line.missing);
        const Command& c = *line.command;
        EXPECT_EQ(to_string(c.kind), row.kind);
        EXPECT_EQ(c.task_id, row.task);
        if (row.person) {
            EXPECT_EQ(c.person, row.person);
        }
        if (row.person_name) {
            EXPECT_EQ(c.person_name, row.person_name);
        }
        if (row.name) {
            EXPECT_EQ(c.task_name, row.name);
        }
        if (row.start) {
            ASSERT_TRUE(c.planned_start);
            EXPECT_EQ(format_iso_date(*c.planned_start), row.start);
        }
        if (row.finish) {
            ASSERT_TRUE(c.new_date);
            EXPECT_EQ(format_iso_date(*c.new_date), row.finish);
        }
        if (row.predecessors) {
            EXPECT_EQ(joined(c.predecessors), row.predecessors);
        }
        if (row.module) {
            EXPECT_EQ(c.module_id, row.module);
        }
        if (row.project) {
            EXPECT_EQ(c.project_id, row.project);
        }
        if (row.reason) {
            EXPECT_EQ(c.reason, row.reason);
        }
    }
}

TEST(PlanGrammarTest, SuggestionsForPlanChangesAreInTheLinesLanguage) {
    const ParseContext context = make_context();
    EXPECT_EQ(parse_line("T003 负责人", context).suggestion, "T003 负责人 小红");
    EXPECT_EQ(parse_line("assign T003", context).suggestion, "assign T003 to Hong");
    EXPECT_EQ(parse_line("plan T005", context).suggestion, "plan T005 04-22 to 04-30");
}

TEST(ChatDateTest, EnglishMonthNamesReadAsPeopleWriteThem) {
    const Date today = make_date(2026, 11, 23);
    const struct {
        std::string_view text;
        const char* iso;
    } cases[] = {
        {"Dec 24", "2026-12-24"},       {"dec 24", "2026-12-24"},          {"Dec. 24", "2026-12-24"},
        {"December 24th", "2026-12-24"}, {"24 Dec", "2026-12-24"},          {"24th Dec", "2026-12-24"},
        {"24th of December", "2026-12-24"}, {"Dec 24, 2027", "2027-12-24"}, {"24 December 2027", "2027-12-24"},
        {"Jan 5", "2027-01-05"},        {"Sept 1st", "2026-09-01"},        {"May 2", "2027-05-02"},
        {"Feb 29", nullptr},            {"Dec", nullptr},                  {"Dec 32", nullptr},
        {"24", nullptr},                {"Decem 24", nullptr},             {"Dec 24 2026x", nullptr},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.text));
        std::optional<Date> date = parse_chat_date(c.text, today);
        if (!c.iso) {
            EXPECT_FALSE(date.has_value()) << format_iso_date(*date);
            continue;
        }
        ASSERT_TRUE(date.has_value());
        EXPECT_EQ(format_iso_date(*date), c.iso);
    }
}

TEST(CommandKindTest, PlanChangesAreMutationsAndPlanEdits) {
    for (CommandKind kind : {CommandKind::add_task, CommandKind::assign, CommandKind::set_approver, CommandKind::replan,
                             CommandKind::cancel, CommandKind::restore}) {
        EXPECT_TRUE(is_mutation(kind)) << to_string(kind);
        EXPECT_TRUE(is_plan_edit(kind)) << to_string(kind);
    }
    EXPECT_FALSE(is_plan_edit(CommandKind::delay));
    EXPECT_FALSE(is_plan_edit(CommandKind::progress));
}

}  // namespace
}  // namespace core

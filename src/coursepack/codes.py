"""Every kind of problem coursepack reports, with a stable code (``CP101``).

A problem's code comes from this catalogue, matched on its message, so the code follows the
kind of problem wherever in the pipeline it is found; docs/problems.md lists the catalogue
(a test keeps the two in step, and another checks that every problem the test courses produce
has a code of its own). Codes never change meaning; a kind that goes away keeps its number.

    CP1xx  course.yaml          CP4xx  text and limits
    CP2xx  modules and items    CP5xx  targets and LMS profiles
    CP3xx  media                CP6xx  links (validate --check-links)
                                CP7xx  language
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Kind:
    code: str
    pattern: str  # a regular expression the message matches (from its start)
    title: str  # what the kind is, in a few words
    example: str  # a message of this kind
    fix: str  # how to fix it


OTHER = "CP000"

CATALOGUE: tuple[Kind, ...] = (
    # -- course.yaml ---------------------------------------------------------------------------
    Kind(
        "CP100",
        r"YAML syntax error|cannot read YAML|in a YAML file, ",
        "YAML that cannot be read",
        "YAML syntax error: a tab character: YAML is indented with spaces, not tabs",
        "fix the line the message names (indentation, quotes around text holding ': ')",
    ),
    Kind(
        "CP101",
        r"unknown key",
        "an unknown key",
        "unknown key 'titel' in course.yaml",
        "use the key the hint suggests",
    ),
    Kind(
        "CP102",
        r"'[^']+' is missing",
        "a required key is missing",
        "'title' is missing",
        "add the key",
    ),
    Kind(
        "CP103",
        r"'[^']+' is empty|course\.yaml is empty",
        "a required value is empty",
        "'title' is empty",
        "give it a value",
    ),
    Kind(
        "CP104",
        r"course id ",
        "the course id is not an absolute IRI",
        "course id 'my-course' is not an absolute http(s) IRI without query or fragment",
        "use an address you control, e.g. https://courses.example.org/my-course",
    ),
    Kind(
        "CP105",
        r"language '",
        "the language is not a language tag",
        "language 'english' is not a language tag",
        "use a BCP 47 tag such as en or fr",
    ),
    Kind(
        "CP106",
        r"version '",
        "the version has characters LMSs refuse",
        "version '1.0 beta' may use letters, digits, '.', '-', '_' and '+' only",
        "for example 1.0.0",
    ),
    Kind(
        "CP107",
        r"unknown completion rule",
        "an unknown completion rule",
        "unknown completion rule 'all'",
        "use all-tasks, all-items, pass or all-tasks-and-pass",
    ),
    Kind(
        "CP108",
        r"unknown LMS profile",
        "an unknown LMS profile",
        "unknown LMS profile 'blackboard'",
        "use one of the profiles listed",
    ),
    Kind(
        "CP109",
        r"'tracking|dual tracking needs|LRS endpoint '|'[^']+' is not an http\(s\) URL",
        "dual tracking settings are incomplete",
        "dual tracking needs an LRS endpoint",
        "add the endpoint and actor_homepage",
    ),
    Kind(
        "CP110",
        r"'[^']+': LRS credentials never go in course\.yaml",
        "a credential written in course.yaml",
        "'password': LRS credentials never go in course.yaml",
        "remove it; set COURSEPACK_LRS_USERNAME/PASSWORD when you build",
    ),
    Kind(
        "CP111",
        r"'modules' |a module entry |module '[^']+' is listed twice",
        "the module list is wrong",
        "'modules' must be a non-empty list of module files",
        "list the module files, e.g. '- modules/intro.md'",
    ),
    Kind(
        "CP112",
        r"course\.yaml must be a mapping|'[^']+' must be (text|a mapping|a list)|"
        r"keys must be text|'[^']+' is given twice|unsupported YAML tag|'<<' merges|"
        r"an alias refers|a YAML module is|each (section|item|option) is a mapping|"
        r"an item has exactly|'[^']+' must be true or false",
        "a value of the wrong type",
        "'title' must be text, not a list",
        "write the value as the hint says",
    ),
    Kind(
        "CP113",
        r"theme \w+ \S+ has a contrast of",
        "a brand colour with too little contrast",
        "theme primary #66aaff has a contrast of 2.22:1 with the text and backgrounds it meets",
        "use the nearest colour that passes, which the hint names",
    ),
    Kind(
        "CP114",
        r"theme \w+ '|'theme' must be",
        "a theme setting that cannot be used",
        "theme logo 'media/logo.png' is not a file of the course's media/ folder",
        "put logos, covers and fonts in media/; write colours as #rrggbb",
    ),
    Kind(
        "CP115",
        r"the word '|'words' must be",
        "an interface word that does not fit its table",
        "the word 'task.heading' has the placeholders none; it needs {number}",
        "keep the placeholders of the table",
    ),
    Kind(
        "CP116",
        r"unknown score rule",
        "an unknown score rule",
        "unknown score rule 'percent'",
        "use none or progress",
    ),
    Kind(
        "CP117",
        r"assessment \w+ '",
        "an assessment setting out of its range",
        "assessment pass_mark '120' is not a whole number from 0 to 100",
        "pass_mark 0-100, attempts 0 (unlimited) or more, shuffle and retry true or false",
    ),
    Kind(
        "CP118",
        r"completion rule '[^']+' needs a pass mark",
        "a pass rule in a course without CHECKs",
        "completion rule 'pass' needs a pass mark, but the course has no CHECK to score",
        "add CHECK: questions, or use completion: all-tasks",
    ),
    Kind(
        "CP119",
        r"'assessment' has no effect",
        "an assessment in a course without CHECKs (warning)",
        "'assessment' has no effect: the course has no CHECK",
        "add CHECK: questions, or remove assessment",
    ),
    Kind(
        "CP120",
        r"duration '",
        "a duration that is not a length of time",
        "duration 'soon' is not a length of time",
        "write minutes (45) or '1 h 30 min', or leave it out for an estimate",
    ),
    Kind(
        "CP121",
        r"objective \d+ is not a line|the course has \d+ objectives",
        "a learning objective that cannot be shown",
        "objective 2 is not a line of text",
        "write each objective as one line of text; keep a few",
    ),
    # -- modules and items ---------------------------------------------------------------------
    Kind(
        "CP200",
        r"(module file|course file) '[^']+' does not exist|'[^']+' is a folder",
        "a module file is missing",
        "module file 'modules/intro.md' does not exist",
        "check the path and name in course.yaml",
    ),
    Kind(
        "CP201",
        r"'[^']+' (points outside|is not a relative path)",
        "a path leaves the course folder",
        "'../notes.md' points outside the course folder",
        "keep every file inside the course folder",
    ),
    Kind(
        "CP202",
        r"'[^']+' is neither Markdown nor YAML",
        "a module file of another kind",
        "'modules/intro.txt' is neither Markdown nor YAML",
        "use .md or .yaml",
    ),
    Kind(
        "CP203",
        r"the module has no title",
        "a module without a title",
        "the module has no title",
        "start the file with '# Module title'",
    ),
    Kind(
        "CP204",
        r"the module has no items",
        "a module without items",
        "the module has no items",
        "add READ:, WATCH:, TASK: or CHECK: lines",
    ),
    Kind(
        "CP205",
        r"a module has one '# ' title",
        "a second '# ' title",
        "a module has one '# ' title; this is a second one",
        "use '## ' for sections",
    ),
    Kind(
        "CP206",
        r"'[^']*:' looks like an item but items are written in capitals",
        "an item keyword in lower case",
        "'Task:' looks like an item but items are written in capitals",
        "write READ:, WATCH:, TASK: or CHECK: in capitals",
    ),
    Kind(
        "CP207",
        r"'[^']*' looks like an item but has no colon",
        "an item keyword without its colon",
        "'TASK Write…' looks like an item but has no colon",
        "write 'TASK: …'",
    ),
    Kind(
        "CP208",
        r"(module|section|item) id '[^']+' is (used twice|not a valid id)",
        "an id that is used twice or malformed",
        "item id 'intro' is used twice in this module",
        "give each its own id",
    ),
    Kind(
        "CP209",
        r"TASK has no prompt",
        "a TASK without a prompt",
        "TASK has no prompt",
        "write the question after 'TASK:'",
    ),
    Kind(
        "CP210",
        r"(READ|WATCH) has no URL",
        "a READ or WATCH without a URL",
        "READ has no URL",
        "write the address after 'READ:'",
    ),
    Kind(
        "CP211",
        r"(READ|WATCH) URL '",
        "a URL that is not http(s)",
        "READ URL 'www.example.org' is not an http(s) address",
        "start it with https://",
    ),
    Kind(
        "CP212",
        r"(READ|WATCH) names '[^']+', which is not a file",
        "a media file that does not exist",
        "READ names 'media/a.pdf', which is not a file of the course's media/ folder",
        "check the file name (names are case-sensitive)",
    ),
    Kind(
        "CP213",
        r"'[^']+' is not listed in course\.yaml",
        "a module file course.yaml does not list (warning)",
        "'modules/extra.md' is not listed in course.yaml",
        "add it to 'modules', or move it out of the course folder",
    ),
    Kind(
        "CP214",
        r"the same (READ|WATCH) link is given twice",
        "a link given twice (warning)",
        "the same READ link is given twice (also at modules/a.md:3:1)",
        "remove one, or link different pages",
    ),
    Kind(
        "CP215",
        r"WATCH .* cannot be played in the page",
        "a WATCH that becomes a link card (warning)",
        "WATCH https://en.wikipedia.org/wiki/Leadership cannot be played in the "
        "page: learners get a link card",
        "link a YouTube or Vimeo video, or use READ",
    ),
    Kind(
        "CP216",
        r"'\{#[^}]*\}' (on|in) ",
        "an id where ids are not read",
        "'{#tips}' on a '### ' heading is shown to learners as text",
        "ids go on '## ' headings and item lines only",
    ),
    Kind(
        "CP217",
        r"the image '[^']*' ",
        "an image the page cannot show",
        "the image 'media/map.png' is not a file of the course's media/ folder",
        "put the image in media/ and write its path from the course folder",
    ),
    Kind(
        "CP218",
        r"the section has no title",
        "a section without a title",
        "the section has no title",
        "write a heading: '## Title'",
    ),
    Kind(
        "CP219",
        r"the link '[^']*' leads nowhere",
        "a link that leads nowhere in the package",
        "the link 'notes.html' leads nowhere in the package",
        "link a full https:// address or a file of media/",
    ),
    Kind(
        "CP230",
        r"item id '[^']+' is the id that the (TASK|READ|WATCH) at ",
        "an explicit id that another item has in the lock or gets from its place",
        "item id 'theory-task-2' is the id that the TASK at modules/a.md:9:1 gets from its "
        "place: the two would share a learner's saved answers",
        "choose another id, or give that item an explicit id too",
    ),
    Kind(
        "CP220",
        r"this CHECK has two '(Correct|Incorrect):' lines",
        "a CHECK's feedback line given twice",
        "this CHECK has two 'Correct:' lines",
        "keep one 'Correct: …' and one 'Incorrect: …' line per CHECK",
    ),
    Kind(
        "CP221",
        r"CHECK has no question",
        "a CHECK without a question",
        "CHECK has no question",
        "write the question after 'CHECK:'",
    ),
    Kind(
        "CP222",
        r"CHECK has no options",
        "a CHECK without options or accepted answers",
        "CHECK has no options",
        "list '- [x] right' and '- [ ] wrong' options, or '- answer' lines for a text answer",
    ),
    Kind(
        "CP223",
        r"CHECK mixes options with boxes and answers without",
        "a CHECK mixing options and accepted answers",
        "CHECK mixes options with boxes and answers without: 'Paris' has no '[ ]' or '[x]'",
        "give every option a box, or none (a text answer)",
    ),
    Kind(
        "CP224",
        r"an accepted answer of a text CHECK|a CHECK option is empty",
        "an option or accepted answer that cannot be used",
        "an accepted answer of a text CHECK takes no feedback of its own",
        "write the option's text; feedback of a text answer goes on 'Correct:' / 'Incorrect:'",
    ),
    Kind(
        "CP225",
        r"CHECK option '[^']*' is given twice",
        "a CHECK option given twice",
        "CHECK option 'Paris' is given twice (also at modules/a.md:7:1)",
        "remove one, or reword it",
    ),
    Kind(
        "CP226",
        r"CHECK has a single option",
        "a choice with nothing to choose between",
        "CHECK has a single option",
        "add wrong options, or make it a text answer",
    ),
    Kind(
        "CP227",
        r"a true/false CHECK has",
        "a true/false CHECK with both or neither answer marked",
        "a true/false CHECK has both answers marked right",
        "mark one '- [x]' and the other '- [ ]'",
    ),
    Kind(
        "CP228",
        r"CHECK has no correct option",
        "a CHECK without a right option",
        "CHECK has no correct option",
        "mark the right option (or options) '- [x]'",
    ),
    Kind(
        "CP229",
        r"'[^']+' belongs to a CHECK",
        "a CHECK's key on another item",
        "'options' belongs to a CHECK, not to a TASK",
        "remove it, or make the item a 'check:'",
    ),
    # -- media ---------------------------------------------------------------------------------
    Kind(
        "CP300",
        r"(the media (file|folder)|a folder of media/) is a symbolic link",
        "a media file that is a link",
        "the media file is a symbolic link",
        "copy the file into media/ instead of linking it",
    ),
    Kind(
        "CP301",
        r"the media file has other hard links",
        "a media file with other hard links",
        "the media file has other hard links",
        "copy the file instead of linking it",
    ),
    Kind(
        "CP302",
        r"(the media file is )?not a regular file|'[^']+' is not a regular file",
        "a pipe, device or socket",
        "the media file is not a regular file",
        "remove it from the course folder",
    ),
    Kind(
        "CP303",
        r"media file names may use",
        "a media file name LMSs mishandle",
        "media file names may use letters, digits, '.', '-' and '_' only",
        "rename it",
    ),
    Kind(
        "CP304",
        r"'[^']+' is left out of the packages",
        "an editor's or system's file in media/ (warning)",
        "'media/Thumbs.db' is left out of the packages",
        "delete it from media/",
    ),
    Kind(
        "CP305",
        r"cannot read|the media file is outside",
        "a file that cannot be read",
        "cannot read: Permission denied",
        "check the file's permissions and name",
    ),
    # -- text and limits -----------------------------------------------------------------------
    Kind(
        "CP400",
        r"control character U\+",
        "an invisible control character",
        "control character U+0007 in the text",
        "remove it",
    ),
    Kind(
        "CP401",
        r"not UTF-8 text",
        "a file that is not UTF-8",
        "not UTF-8 text",
        "save the file as UTF-8",
    ),
    Kind(
        "CP402",
        r"the file is [\d,]+ bytes",
        "a file over the size limit",
        "the file is 9,000,000 bytes; a course file may be at most 8,388,608",
        "split it into several modules",
    ),
    Kind(
        "CP403",
        r"(values|brackets|Markdown (blocks|lists|quotes)|lists and quotes) are nested "
        r"more than|nested more than",
        "nesting over the limit",
        "values are nested more than 64 levels deep",
        "nest less deeply",
    ),
    Kind(
        "CP404",
        r"aliases \('\*name'\) here repeat more than",
        "YAML aliases over the limit",
        "aliases ('*name') here repeat more than 10,000 values",
        "write the values out",
    ),
    Kind(
        "CP405",
        r"the line is [\d,]+ characters",
        "a line over the length limit",
        "the line is 200,000 characters; a line may hold at most 100,000",
        "break it up",
    ),
    Kind(
        "CP406",
        r"the course has [\d,]+ items",
        "a course over the item limit",
        "the course has 200,000 items; at most 100,000 are allowed",
        "split the course",
    ),
    Kind(
        "CP407",
        r"CHECK has [\d,]+ options; at most",
        "a CHECK over the option limit",
        "CHECK has 40 options; at most 36 are allowed",
        "split the question, or make it a text answer",
    ),
    # -- targets and LMS profiles --------------------------------------------------------------
    Kind(
        "CP500",
        r"('title'|module title) is \d+ characters; LMSs allow",
        "a title too long for LMSs",
        "'title' is 240 characters; LMSs allow at most 200",
        "shorten it",
    ),
    Kind(
        "CP501",
        r"'version' is \d+ characters",
        "a version too long for LMSs",
        "'version' is 30 characters; LMSs allow at most 20",
        "shorten it",
    ),
    Kind(
        "CP502",
        r"[^:]+ \([a-z0-9.-]+\): ",
        "a rule of the LMS profile",
        "Cornerstone (zip-size): SCORM 2004 3rd Edition: the package would be 300 MB",
        "as the hint says for that rule (docs/lms-profiles.md)",
    ),
    Kind(
        "CP503",
        r"dual tracking is on but no LRS credential",
        "dual tracking without a credential",
        "dual tracking is on but no LRS credential is set",
        "set COURSEPACK_LRS_USERNAME and COURSEPACK_LRS_PASSWORD when you build",
    ),
    Kind(
        "CP504",
        r"this package carries an LRS credential",
        "a package carrying a credential (warning)",
        "this package carries an LRS credential for dual tracking",
        "use a write-only key limited to statements",
    ),
    Kind(
        "CP505",
        r"'cmi5' must be|au_per '",
        "cmi5 options",
        "au_per 'lesson'",
        "use 'module' or 'course'",
    ),
    # -- links ---------------------------------------------------------------------------------
    Kind(
        "CP600",
        r"dead link",
        "a link that does not answer (validate --check-links)",
        "dead link https://example.org/gone (404 Not Found)",
        "fix or remove the link",
    ),
    Kind(
        "CP601",
        r"permanent redirect",
        "a link that moved for good (warning)",
        "permanent redirect: https://example.org/a now lives at https://example.org/b",
        "link the new address",
    ),
    # -- language ------------------------------------------------------------------------------
    Kind(
        "CP700",
        r"no words for language",
        "a language without its own words table (warning)",
        "no words for language 'de': learners see the interface in English",
        "choose a language that ships (en, fr), or add a table",
    ),
)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(kind.pattern), kind.code) for kind in CATALOGUE)


def code_for(message: str) -> str:
    """The code of a problem's message; ``CP000`` for a message no kind describes."""
    for pattern, code in _compiled():
        if pattern.match(message):
            return code
    return OTHER


def kind_of(code: str) -> Kind | None:
    return next((kind for kind in CATALOGUE if kind.code == code), None)

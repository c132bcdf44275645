// Parse an iCalendar feed (stdin) with Mozilla's ical.js and print each event as JSON:
// uid, UTC start and end, status, sequence, summary. Usage: node icaljs_parse.cjs <ical.es5.cjs>
const ICAL = require(process.argv[2]);
let data = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { data += chunk; });
process.stdin.on("end", () => {
  const root = new ICAL.Component(ICAL.parse(data));
  const events = root.getAllSubcomponents("vevent").map((c) => {
    const e = new ICAL.Event(c);
    return {
      uid: e.uid,
      start: e.startDate.toUnixTime(),
      end: e.endDate.toUnixTime(),
      status: c.getFirstPropertyValue("status"),
      sequence: e.sequence,
      summary: e.summary,
      zone: e.startDate.zone ? e.startDate.zone.tzid : null,
    };
  });
  process.stdout.write(JSON.stringify({
    calname: root.getFirstPropertyValue("x-wr-calname"),
    events,
  }));
});

/**
 * The dates in Vector ASC headers (`date Sat Sep 30 03:06:13.191 pm 2017`, also 24-hour clocks and
 * German month names as CANoe writes them in German locales). They are local wall-clock times.
 */
const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, mär: 2, apr: 3, may: 4, mai: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, okt: 9, nov: 10, dec: 11, dez: 11,
};
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * Parses `WEEKDAY MONTH DAY HH:MM:SS[.mmm] [AM|PM] YEAR` into epoch seconds (local time);
 * undefined when the text is not such a date.
 */
export function parseVectorDate(text: string): number | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 5) return undefined;
  const month = MONTHS[(parts[1] ?? '').slice(0, 3).toLowerCase()];
  const day = Number(parts[2]);
  const time = /^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(parts[3] ?? '');
  let ampm = '';
  let yearText = parts[4] ?? '';
  if (/^[ap]m$/i.test(yearText)) {
    ampm = yearText.toLowerCase();
    yearText = parts[5] ?? '';
  }
  const year = Number(yearText);
  if (month === undefined || !time || !Number.isInteger(day) || !/^\d{4}$/.test(yearText)) return undefined;
  let hour = Number(time[1]);
  if (ampm !== '') {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (ampm === 'pm' ? 12 : 0);
  }
  const ms = time[4] === undefined ? 0 : Number(time[4].padEnd(3, '0').slice(0, 3));
  const d = new Date(year, month, day, hour, Number(time[2]), Number(time[3]), ms);
  return Number.isNaN(d.getTime()) ? undefined : d.getTime() / 1000;
}

/** `Sat Sep 30 03:06:13.191 PM 2017` for epoch milliseconds (local time), the form python-can also reads. */
export function formatVectorDate(epochMs: number): string {
  const d = new Date(epochMs);
  const h12 = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getDay()]} ${MONTH_NAMES[d.getMonth()]} ${two(d.getDate())} ${two(h12)}:${two(d.getMinutes())}:${two(d.getSeconds())}` +
    `.${String(d.getMilliseconds()).padStart(3, '0')} ${d.getHours() < 12 ? 'AM' : 'PM'} ${d.getFullYear()}`
  );
}

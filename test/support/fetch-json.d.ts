// Tests read JSON bodies and then assert on them; typing every body would only restate the assertions.
declare global {
  interface Response {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json(): Promise<any>;
  }
}
export {};

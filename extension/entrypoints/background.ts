export default defineBackground(() => {
  // The socket to the companion, notifications and the badge live here (issue 9).
});

// Run once by compose's mongo-init service (mongosh against mongo1): initiates the replica set rs0
// unless it exists, then waits until it has a primary, so that nothing that depends on this
// service starts before the database takes writes. Exits non-zero after two minutes without one.
const members = ["mongo1:27017", "mongo2:27017", "mongo3:27017"].map((host, i) => ({ _id: i, host }));
try {
  rs.status();
  print("replica set rs0 already initiated");
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  rs.initiate({ _id: "rs0", members });
  print("replica set rs0 initiated");
}
for (let waited = 0; !db.hello().primary; waited++) {
  if (waited >= 120) {
    print("replica set rs0 has no primary after 120 s");
    quit(1);
  }
  sleep(1000);
}
print(`replica set rs0 primary: ${db.hello().primary}`);

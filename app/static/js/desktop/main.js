// Agent desktop entry point.
import { connect } from "./connection.js";

const indicator = document.querySelector("[data-testid=connection]");
const socket = connect(indicator);
window.parley = { socket };

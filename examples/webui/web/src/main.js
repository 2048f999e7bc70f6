import { fetchHello } from "./api.js";

const greeting = document.getElementById("greeting");
const form = document.getElementById("form");
const input = document.getElementById("name");

async function greet(name) {
  try {
    const { message, time } = await fetchHello(name);
    greeting.textContent = `${message} (server time ${time})`;
  } catch (err) {
    greeting.textContent = `error: ${err.message}`;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  greet(input.value.trim());
});

greet("");

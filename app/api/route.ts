// `/api` itself (also where Next normalises paths such as `/api/tasks/%2e%2e`): the JSON 404.
export { DELETE, GET, PATCH, POST, PUT } from "./[...path]/route";

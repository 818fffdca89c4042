import type { Metadata } from "next";
import { AdminApp } from "./AdminApp";
import "./admin.css";

export const metadata: Metadata = {
  title: "Tasks · Admin",
  description: "Manage your tasks",
};

// The page is a client application on the public HTTP API: everything it shows or changes goes
// through fetch (see ./api.ts). Nothing here touches the database or the auth library.
export default function AdminPage() {
  return <AdminApp />;
}

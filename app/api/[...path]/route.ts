import { ApiError } from "@/lib/errors";
import { withErrors } from "@/lib/http/route";

const notFound = withErrors(
  () => {
    throw new ApiError("NOT_FOUND", "No such API route");
  },
  { route: "/api/[...path]" },
);

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };

// A municipal integration in a few steps, with types generated from the
// service's OpenAPI document: list areas across pages, record a family, its
// consent and a referral, let the receiving unit accept it, and handle a
// problem by its type.
//
// Environment: FAMILIEBRO_URL (e.g. http://127.0.0.1:8080), and bearer tokens
// ADMIN_TOKEN, WORKER_TOKEN (a housing-social worker of the first area) and
// CASEWORKER_TOKEN (family counselling of municipality 101).

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];

const baseUrl = required("FAMILIEBRO_URL");
const client = createClient<paths>({ baseUrl });
const bearer = (name: string) => ({ Authorization: `Bearer ${required(name)}` });

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`set ${name}`);
  }
  return value;
}

function fail(step: string, problem: Problem | undefined, status: number): never {
  throw new Error(`${step}: ${status} ${problem?.type ?? ""} ${problem?.detail ?? ""}`);
}

/** The `cursor` of a `Link: <…>; rel="next"` header, if there is one. */
function nextCursor(link: string | null): string | undefined {
  const target = link?.match(/<([^>]*)>;\s*rel="next"/)?.[1];
  return target ? new URL(target, baseUrl).searchParams.get("cursor") ?? undefined : undefined;
}

async function allAreas(): Promise<components["schemas"]["Area"][]> {
  const areas: components["schemas"]["Area"][] = [];
  let cursor: string | undefined;
  do {
    const { data, error, response } = await client.GET("/api/v1/areas", {
      params: { query: { limit: 1, ...(cursor ? { cursor } : {}) } },
      headers: bearer("ADMIN_TOKEN"),
    });
    if (!data) fail("list areas", error, response.status);
    areas.push(...data.items);
    cursor = nextCursor(response.headers.get("Link"));
  } while (cursor);
  return areas;
}

async function main(): Promise<void> {
  const areas = await allAreas();
  const area = areas.find((candidate) => candidate.municipality_code === "101");
  if (!area) throw new Error("no area of municipality 101");
  console.log(`${areas.length} areas, across ${areas.length} pages`);

  const family = await client.POST("/api/v1/families", {
    headers: { ...bearer("WORKER_TOKEN"), "Idempotency-Key": `family-${Date.now()}` },
    body: {
      area_id: area.id,
      display_name: "Familien Klient",
      contact: { phone: "+45 11 22 33 44" },
      household: { adults: 2, children: 2 },
    },
  });
  if (!family.data) fail("create family", family.error, family.response.status);
  console.log(`family ${family.data.id} at ${family.response.headers.get("Location")}`);

  const today = new Date().toISOString().slice(0, 10);
  const later = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  const consent = await client.POST("/api/v1/families/{id}/consents", {
    params: { path: { id: family.data.id } },
    headers: bearer("WORKER_TOKEN"),
    body: {
      receiving_unit: "family_counselling",
      purpose: "bridge_building",
      data_categories: ["contact_details"],
      valid_from: today,
      valid_until: later,
      given_as: "written",
      given_by: { name: "Amina", relation: "mother" },
      document_reference: "Samtykkeerklæring 2026-17",
    },
  });
  if (!consent.data) fail("record consent", consent.error, consent.response.status);

  const referral = await client.POST("/api/v1/referrals", {
    headers: { ...bearer("WORKER_TOKEN"), "Idempotency-Key": `referral-${Date.now()}` },
    body: {
      direction: "to_municipality",
      family_id: family.data.id,
      consent_id: consent.data.id,
      unit: "family_counselling",
      purpose: "bridge_building",
      shared_categories: ["contact_details"],
    },
  });
  if (!referral.data) fail("refer", referral.error, referral.response.status);
  const id = referral.data.id;
  console.log(`referral ${id}: ${referral.data.status}`);

  const received = await client.GET("/api/v1/referrals/{id}", {
    params: { path: { id } },
    headers: bearer("CASEWORKER_TOKEN"),
  });
  if (!received.data) fail("read referral", received.error, received.response.status);
  const etag = received.response.headers.get("ETag") ?? "*";
  console.log(`the unit sees ${received.data.shared_data?.contact_details?.display_name}`);

  const accepted = await client.POST("/api/v1/referrals/{id}/transitions", {
    params: { path: { id }, header: { "If-Match": etag } },
    headers: bearer("CASEWORKER_TOKEN"),
    body: { to: "accepted" },
  });
  if (!accepted.data) fail("accept", accepted.error, accepted.response.status);
  console.log(`referral ${id}: ${accepted.data.status}`);

  const illegal = await client.POST("/api/v1/referrals/{id}/transitions", {
    params: { path: { id } },
    headers: bearer("CASEWORKER_TOKEN"),
    body: { to: "requested" },
  });
  if (illegal.error?.type !== "urn:familiebro:problem:transition-not-allowed") {
    throw new Error(`expected a transition-not-allowed problem, got ${illegal.response.status}`);
  }
  console.log(`refused as expected: ${illegal.error.detail}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

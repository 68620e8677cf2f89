// The smallest Medusa 2.21 project that migrates a database and runs scripts against it (`medusa db:migrate`,
// `medusa exec`): everything from Medusa's defaults, no admin build, no Redis (in-memory event bus and cache).
const { defineConfig } = require("@medusajs/framework/utils")

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      jwtSecret: "medusa-fixture-only",
      cookieSecret: "medusa-fixture-only",
      storeCors: "",
      adminCors: "",
      authCors: "",
    },
  },
  admin: { disable: true },
})

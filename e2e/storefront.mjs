// The storefront's sign-up, as a visitor on a phone does it, in Debian's
// Chromium driven by Playwright, with axe-core run on every page.
//
// Run by cmd/partnership's TestPagesInABrowser, which starts the real
// service and passes, in the environment:
//   BASE_URL     the service, e.g. http://127.0.0.1:41234
//   SLUG         the demo provider's slug
//   CPF_MESSAGE  what the API answers for the wrong CPF typed below
//   CHROMIUM     the browser (default /usr/bin/chromium)
//   SCREENSHOTS  a directory to save screenshots in (optional)
// It prints one JSON line: {"reference": "<subscription id>", "pages": N}.
import { deflateSync } from "node:zlib";
import { fail, withBrowser } from "./browser.mjs";

const base = process.env.BASE_URL;
const slug = process.env.SLUG;
const cpfMessage = process.env.CPF_MESSAGE;
if (!base || !slug || !cpfMessage) {
  throw new Error("BASE_URL, SLUG and CPF_MESSAGE are required");
}

// A small, valid PNG (the service checks images by content).
function png() {
  const crc = (buf) => {
    let c, crcv = 0xffffffff;
    for (const b of buf) {
      c = (crcv ^ b) & 0xff;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcv = (crcv >>> 8) ^ c;
    }
    return (crcv ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(8, 0); ihdr.writeUInt32BE(8, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc(8 * (1 + 8 * 3), 0x80);
  for (let y = 0; y < 8; y++) raw[y * 25] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

const out = await withBrowser(async (page, { audit, shot, expectPath, follow, audited, screenshots }) => {
  // 1. The plans.
  await page.goto(`${base}/loja/${slug}`);
  await audit("home");
  await shot("loja-home-375");
  await follow("Assinar Fibra 300", /\/planos\/\d+$/, "plan");

  // 2. The coupon.
  await page.getByLabel("Código do cupom").fill("bemvindo");
  await page.getByRole("button", { name: "Aplicar cupom" }).click();
  await page.getByText("Cupom BEMVINDO aplicado").waitFor();
  await audit("plan with coupon");
  await shot("loja-plano-375");

  // 3. Coverage, typed as people type: the mask adds the hyphen.
  await page.getByLabel("CEP").pressSequentially("80420090");
  if ((await page.getByLabel("CEP").inputValue()) !== "80420-090") fail("CEP mask");
  await page.getByLabel("Cidade").fill("Curitiba");
  await page.getByLabel("Rua").fill("Av. do Batel");
  await page.getByLabel("Número").fill("1200");
  await page.getByLabel("Bairro").fill("Batel");
  await page.getByRole("button", { name: "Verificar cobertura" }).click();
  await expectPath(/\/cadastro$/, "sign-up form");
  await audit("sign-up");

  // 4. The form, with a CPF whose check digits are wrong.
  await page.getByLabel("Nome completo ou razão social").fill("Maria Souza");
  await page.getByLabel("CPF ou CNPJ").pressSequentially("11144477700");
  if ((await page.getByLabel("CPF ou CNPJ").inputValue()) !== "111.444.777-00") fail("CPF mask");
  await page.getByLabel("Data de nascimento").pressSequentially("09071990");
  await page.getByLabel("E-mail").fill("maria@example.com");
  await page.getByLabel("Celular com DDD").pressSequentially("41998916002");
  if ((await page.getByLabel("Celular com DDD").inputValue()) !== "(41) 99891-6002") fail("phone mask");
  await page.getByLabel("Dia de vencimento da fatura").selectOption("10");
  await page.getByLabel("Pix").check();
  await page.getByLabel(/À vista/).check();
  await page.getByRole("button", { name: "Continuar para os documentos" }).click();
  const error = page.locator("#f-cpf-cnpj-erro");
  await error.waitFor();
  if ((await error.textContent()) !== cpfMessage) fail(`CPF error "${await error.textContent()}", the API says "${cpfMessage}"`);
  // The page puts the visitor back on the wrong field.
  if (!(await page.getByLabel("CPF ou CNPJ").evaluate((el) => el === document.activeElement))) fail("wrong field not focused");
  await audit("sign-up with an error");
  await shot("loja-cadastro-erro-375");

  // 5. Fixed.
  await page.getByLabel("CPF ou CNPJ").fill("");
  await page.getByLabel("CPF ou CNPJ").pressSequentially("11144477735");
  await page.getByRole("button", { name: "Continuar para os documentos" }).click();
  await expectPath(/\/assinaturas\/[0-9a-f-]{36}\/documentos$/, "documents");
  await audit("documents");
  await shot("loja-documentos-375");

  // 6. The three documents.
  const file = (name) => ({ name, mimeType: "image/png", buffer: png() });
  await page.getByLabel("Comprovante de residência").setInputFiles(file("comprovante.png"));
  await page.getByLabel("RG (foto do documento)").setInputFiles(file("rg.png"));
  await page.getByLabel("Selfie").setInputFiles(file("selfie.png"));
  await page.getByRole("button", { name: "Enviar documentos" }).click();
  await expectPath(/\/assinaturas\/[0-9a-f-]{36}$/, "confirmation");
  const reference = (await page.locator("#referencia").textContent()).trim();
  if (!/^[0-9a-f-]{36}$/.test(reference)) fail("no reference on the confirmation");
  await audit("confirmation");
  await shot("loja-confirmacao-375");

  // 7. No coverage: the cold-lead form instead of a dead end.
  await page.goto(`${base}/loja/${slug}`);
  await page.getByRole("link", { name: "Assinar Fibra 600" }).first().click();
  await page.getByLabel("CEP").fill("01310-100");
  await page.getByLabel("Cidade").fill("São Paulo");
  await page.getByRole("button", { name: "Verificar cobertura" }).click();
  await expectPath(/\/sem-cobertura$/, "cold lead");
  await audit("cold lead");
  await shot("loja-sem-cobertura-375");
  await page.getByLabel("Nome completo ou razão social").fill("Ana Lima");
  await page.getByLabel("Celular com DDD").fill("(11) 98888-7777");
  await page.getByRole("button", { name: "Enviar" }).click();
  await expectPath(/\/sem-cobertura\/obrigado$/, "cold lead thanks");
  await audit("cold lead thanks");

  // Desktop widths, for the README.
  if (screenshots) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/loja/${slug}`);
    await shot("loja-home-1280");
    await page.goto(`${base}/loja/${slug}/assinaturas/${reference}`);
    await shot("loja-confirmacao-1280");
  }
  return { reference, pages: audited() };
});
console.log(JSON.stringify(out));

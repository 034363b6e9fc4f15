// The sandbox page: a Telegram-like chat over the JSON API of bot/sandbox.py.
// Text always enters the page as DOM text nodes (never innerHTML), so nothing typed can run.
"use strict";

const $ = (selector) => document.querySelector(selector);
const yo = new URLSearchParams(location.search).get("u");
let version = "";

function el(tag, clase, texto) {
  const nodo = document.createElement(tag);
  if (clase) nodo.className = clase;
  if (texto !== undefined) nodo.textContent = texto;
  return nodo;
}

async function api(ruta, opciones = {}) {
  const respuesta = await fetch(ruta, opciones);
  const datos = await respuesta.json().catch(() => ({}));
  if (!respuesta.ok) {
    const error = new Error(datos.error || "El sandbox no respondió; revise que siga en marcha.");
    error.estado = respuesta.status;
    throw error;
  }
  return datos;
}

function enviarJson(ruta, cuerpo) {
  return api(ruta, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(cuerpo),
  });
}

let avisoTimer;
function avisar(texto, alerta = false) {
  const aviso = $("#aviso");
  aviso.textContent = texto;
  aviso.classList.toggle("alerta", alerta);
  aviso.hidden = false;
  clearTimeout(avisoTimer);
  avisoTimer = setTimeout(() => { aviso.hidden = true; }, alerta ? 6000 : 3500);
}

// -- Who are you --------------------------------------------------------------------------

async function pantallaElegir() {
  $("#elegir").hidden = false;
  const estado = await api("/api/estado");
  const select = $("#dependencia");
  for (const d of estado.dependencias) {
    const opcion = el("option", "", d.etiqueta);
    opcion.value = String(d.id);
    select.append(opcion);
  }
  if (estado.sugerida !== null) select.value = String(estado.sugerida);
  if (estado.personas.length) {
    $("#ya-registradas").hidden = false;
    for (const p of estado.personas) {
      const a = el("a", "", `${p.nombre} · ${p.rol}`);
      a.href = `/?u=${encodeURIComponent(p.id)}`;
      const li = el("li");
      li.append(a);
      $("#personas").append(li);
    }
  }
  const form = $("#form-persona");
  const alCambiarRol = () => { $("#campo-dependencia").hidden = form.rol.value !== "enlace"; };
  form.addEventListener("change", alCambiarRol);
  form.addEventListener("submit", async (evento) => {
    evento.preventDefault();
    const boton = form.querySelector("button[type=submit]");
    boton.disabled = true;
    try {
      const rol = form.rol.value;
      const persona = await enviarJson("/api/personas", {
        rol,
        nombre: $("#nombre").value,
        dependencia_id: rol === "enlace" ? Number(select.value) : null,
      });
      location.href = `/?u=${encodeURIComponent(persona.id)}`;
    } catch (error) {
      avisar(error.message, true);
      boton.disabled = false;
    }
  });
}

// -- The chat -----------------------------------------------------------------------------

const ETIQUETAS = {
  bold: "strong", italic: "em", underline: "u", strikethrough: "s",
  code: "code", pre: "pre", blockquote: "blockquote", spoiler: "span",
};

// Bot API entities count UTF-16 code units, which is exactly how JavaScript indexes strings.
function textoConEntidades(texto, entidades, conComandos) {
  const contenedor = el("div", "texto");
  const cortes = new Set([0, texto.length]);
  for (const e of entidades) {
    cortes.add(e.offset);
    cortes.add(e.offset + e.length);
  }
  const puntos = [...cortes].filter((n) => n >= 0 && n <= texto.length).sort((a, b) => a - b);
  for (let i = 0; i + 1 < puntos.length; i++) {
    const [desde, hasta] = [puntos[i], puntos[i + 1]];
    let nodo = fragmento(texto.slice(desde, hasta), conComandos);
    for (const e of entidades) {
      if (e.offset <= desde && hasta <= e.offset + e.length) nodo = envolver(nodo, e, texto);
    }
    contenedor.append(nodo);
  }
  return contenedor;
}

function envolver(nodo, entidad, texto) {
  let envoltura;
  if (entidad.type === "text_link" || entidad.type === "url") {
    const url = entidad.type === "url" ? texto.substr(entidad.offset, entidad.length) : entidad.url;
    if (!/^https?:\/\//i.test(url || "")) return nodo;  // no javascript: or other schemes
    envoltura = el("a");
    envoltura.href = url;
    envoltura.target = "_blank";
    envoltura.rel = "noopener noreferrer";
  } else if (ETIQUETAS[entidad.type]) {
    envoltura = el(ETIQUETAS[entidad.type], entidad.type === "spoiler" ? "spoiler" : "");
  } else {
    return nodo;
  }
  envoltura.append(nodo);
  return envoltura;
}

// As in Telegram, a /command in the bot's text can be tapped to send it.
function fragmento(texto, conComandos) {
  const frag = document.createDocumentFragment();
  if (!conComandos) {
    frag.append(texto);
    return frag;
  }
  let ultimo = 0;
  for (const m of texto.matchAll(/(^|[\s(«"])(\/[a-z_]{2,32})(?![\w/@])/g)) {
    const inicio = m.index + m[1].length;
    frag.append(texto.slice(ultimo, inicio));
    const comando = el("button", "comando", m[2]);
    comando.type = "button";
    comando.addEventListener("click", () => enviarTexto(m[2]));
    frag.append(comando);
    ultimo = inicio + m[2].length;
  }
  frag.append(texto.slice(ultimo));
  return frag;
}

function tamano(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function burbuja(m) {
  const li = el("li", `mensaje ${m.de}`);
  li.dataset.id = String(m.id);
  const caja = el("div", "burbuja");
  if (m.foto) {
    const img = el("img", "foto");
    img.src = m.foto;
    img.alt = "Foto";
    caja.append(img);
  }
  if (m.documento) {
    const a = el("a", "documento");
    a.href = m.documento.url;
    a.download = m.documento.nombre;
    a.append(el("span", "doc-icono", "⬇"));
    const info = el("span", "doc-info");
    info.append(el("strong", "", m.documento.nombre), el("small", "", tamano(m.documento.bytes)));
    a.append(info);
    caja.append(a);
  }
  if (m.texto) caja.append(textoConEntidades(m.texto, m.entidades, m.de === "bot"));
  if (m.editado) caja.append(el("span", "editado", "editado"));
  li.append(caja);
  if (m.botones.length) {
    const teclado = el("div", "teclado");
    for (const fila of m.botones) {
      const renglon = el("div", "fila");
      for (const b of fila) {
        if (b.url) {
          const a = el("a", "boton", b.texto);
          if (/^https?:\/\//i.test(b.url)) a.href = b.url;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          renglon.append(a);
          continue;
        }
        const boton = el("button", "boton", b.texto);
        boton.type = "button";
        boton.addEventListener("click", () => presionar(boton, m.id, b.datos));
        renglon.append(boton);
      }
      teclado.append(renglon);
    }
    li.append(teclado);
  }
  return li;
}

async function actualizar() {
  const datos = await api(`/api/chat?u=${encodeURIComponent(yo)}&version=${encodeURIComponent(version)}`);
  if (datos.sin_cambios) return;
  const lista = $("#mensajes");
  const alFondo = !version || lista.scrollHeight - lista.scrollTop - lista.clientHeight < 120;
  version = datos.version;
  // As Telegram does under the bot's name: what it is doing, while it lasts.
  $("#quien").textContent = datos.accion || `${datos.persona.nombre} · ${datos.persona.rol}`;
  $("#quien").classList.toggle("accion", Boolean(datos.accion));
  document.title = `${datos.persona.nombre} · Seguimiento ASM`;
  lista.replaceChildren(...datos.mensajes.map(burbuja));
  pintarMenu(datos.comandos);
  if (alFondo) lista.scrollTop = lista.scrollHeight;
}

function pintarMenu(comandos) {
  const menu = $("#menu");
  menu.replaceChildren(...comandos.map((c) => {
    const li = el("li");
    const boton = el("button", "", "");
    boton.type = "button";
    boton.append(el("strong", "", `/${c.comando}`), el("span", "", c.descripcion));
    boton.addEventListener("click", () => { mostrarMenu(false); enviarTexto(`/${c.comando}`); });
    li.append(boton);
    return li;
  }));
  $("#abrir-menu").hidden = comandos.length === 0;
}

function mostrarMenu(ver) {
  $("#menu").hidden = !ver;
  $("#abrir-menu").setAttribute("aria-expanded", String(ver));
}

// The server answers once the bot went quiet; the person's own bubble shows up before that.
async function conEspera(promesa) {
  const pronto = setTimeout(() => actualizar().catch(() => {}), 150);
  try {
    return await promesa;
  } catch (error) {
    avisar(error.message, true);
    return null;
  } finally {
    clearTimeout(pronto);
    await actualizar().catch(() => {});
  }
}

function enviarTexto(texto) {
  return conEspera(enviarJson("/api/enviar", { u: Number(yo), texto }));
}

async function presionar(boton, mensaje, datos) {
  boton.classList.add("ocupado");
  const respuesta = await conEspera(enviarJson("/api/presionar", { u: Number(yo), mensaje, datos }));
  boton.classList.remove("ocupado");
  if (respuesta && respuesta.aviso) avisar(respuesta.aviso, respuesta.alerta);
}

function pantallaChat() {
  $("#chat").hidden = false;
  const texto = $("#texto");
  $("#redactar").addEventListener("submit", (evento) => {
    evento.preventDefault();
    const valor = texto.value.trim();
    if (!valor) return;
    texto.value = "";
    enviarTexto(valor);
  });
  texto.addEventListener("keydown", (evento) => {
    if (evento.key === "Enter" && !evento.shiftKey) {
      evento.preventDefault();
      $("#redactar").requestSubmit();
    }
  });
  $("#abrir-menu").addEventListener("click", () => mostrarMenu($("#menu").hidden));
  $("#archivo").addEventListener("change", (evento) => {
    const archivo = evento.target.files[0];
    if (!archivo) return;
    const datos = new FormData();
    datos.append("archivo", archivo, archivo.name);
    const enviando = `Enviando «${archivo.name}»…`;
    avisar(enviando);
    conEspera(api(`/api/adjuntar?u=${encodeURIComponent(yo)}`, { method: "POST", body: datos }))
      .then(() => { if ($("#aviso").textContent === enviando) $("#aviso").hidden = true; });
    evento.target.value = "";
  });
  const ciclo = async () => {
    try {
      await actualizar();
    } catch (error) {
      if (error.estado === 404) {  // an address from an earlier sandbox: choose again
        location.replace("/");
        return;
      }
      avisar(error.message, true);
    }
    setTimeout(ciclo, 1000);
  };
  ciclo();
}

// -- The panel: clock, jobs, outbox -----------------------------------------------------------

function pintarPanel(p) {
  $("#reloj").textContent = p.reloj;
  $("#nota-reloj").textContent = p.nota || "";
  $("#nota-reloj").hidden = !p.nota;
  $("#trabajos").replaceChildren(...p.trabajos.map((t) => el("li", "", `${t.nombre}: ${t.en}`)));
  const s = p.salida;
  $("#salida").textContent = `Pendientes: ${s.pendientes} · enviados: ${s.enviados}` +
    (s.otros ? ` · con error: ${s.otros}` : "");
  $("#recientes").replaceChildren(...p.recientes.map((r) => {
    const li = el("li");
    li.append(el("strong", "", r.tipo), ` para ${r.para} · ${r.estado} · desde ${r.desde}`);
    return li;
  }));
  if (!p.recientes.length) $("#recientes").append(el("li", "nota", "Aún no hay mensajes en la salida."));
}

async function accionPanel(boton, promesa) {
  boton.disabled = true;
  try {
    const r = await promesa;
    pintarPanel(r.panel);
    avisar(`Ronda: ${r.nuevos === 1 ? "1 mensaje nuevo" : `${r.nuevos} mensajes nuevos`} en la salida.`);
    if (yo) await actualizar();
  } catch (error) {
    avisar(error.message, true);
  } finally {
    boton.disabled = false;
  }
}

function panel() {
  for (const boton of document.querySelectorAll("[data-reloj]")) {
    boton.addEventListener("click", () =>
      accionPanel(boton, enviarJson("/api/reloj", { hasta: boton.dataset.reloj })));
  }
  $("#ronda").addEventListener("click", (e) => accionPanel(e.currentTarget, enviarJson("/api/ronda", {})));
  const alternar = () => {
    const abierto = document.body.classList.toggle("con-panel");
    $("#ver-panel").setAttribute("aria-expanded", String(abierto));
  };
  $("#ver-panel").addEventListener("click", alternar);
  $("#cerrar-panel").addEventListener("click", alternar);
  const ciclo = async () => {
    try {
      pintarPanel(await api("/api/panel"));
    } catch (error) {
      // the chat already tells when the sandbox stopped
    }
    setTimeout(ciclo, 3000);
  };
  ciclo();
}

panel();
if (yo) pantallaChat(); else pantallaElegir().catch((error) => avisar(error.message, true));

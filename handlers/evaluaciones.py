"""/evaluaciones (coordinadores): list, new, detail with its ASM and deadlines, recommendations
to ASM (Arts. 7, 9) and sending them (Art. 10). /calendario: open obligations, soonest first.

One step table (PASOS_TEXTO, and the button actions in _BOTONES) says which function takes which
step; the typed draft (Borrador) is saved at every step with bot.servicios.borradores, so a
restart loses nothing. Diagram: handlers/evaluaciones.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.planes import interpretar_fecha
from bot.dominio.seleccion import Criterio
from bot.dominio.vocabulario import Clasificacion, Prioridad, Rol, TipoEvaluacion
from bot.mensajes import callbacks
from bot.mensajes import evaluaciones as t
from bot.servicios import borradores
from bot.servicios import evaluaciones as servicio
from bot.servicios.borradores import Flujo, Paso
from bot.servicios.evaluaciones import DetalleEvaluacion, EvaluacionRechazada, ResponsableNuevo
from bot.servicios.usuarios import Persona
from handlers.base import (
    Contexto,
    alerta,
    en_bd,
    persona_o_aviso,
    quitar_botones,
    responder,
    teclado,
)
from storage.models import Asm

FLUJO = Flujo.EVALUACIONES.value
_TIPOS = list(TipoEvaluacion)
_CRITERIOS = list(Criterio)
_CLASIFICACIONES = list(Clasificacion)
_PRIORIDADES = list(Prioridad)


class PasoEv(StrEnum):
    TIPO = "tipo"  # button
    PP = "pp"
    EJERCICIO = "ejercicio"
    NOTIFICACION = "notificacion"
    LIMITE = "limite"  # internas and seguimiento only
    EVALUADOR = "evaluador"
    RECOMENDACION = "recomendacion"
    CRITERIO = "criterio"  # buttons, one criterion at a time
    MOTIVO = "motivo"
    CLASIFICACION = "clasificacion"  # button
    PRIORIDAD = "prioridad"  # button
    RESPONSABLES = "responsables"


@dataclass
class Borrador:
    """What the conversation has gathered so far (kept as JSON in the draft row)."""

    tipo: str | None = None
    pp: str | None = None
    ejercicio: int | None = None
    notificacion: str | None = None  # ISO date
    limite: str | None = None
    evaluacion_id: int | None = None
    recomendacion_id: int | None = None
    criterios: dict[str, bool] = field(default_factory=dict)
    clasificacion: str | None = None
    prioridad: str | None = None

    @classmethod
    def de(cls, datos: dict[str, Any]) -> Borrador:
        return cls(**{k: v for k, v in datos.items() if k in cls.__dataclass_fields__})


def _d(accion: str, valor: int | None = None, valor2: int | None = None) -> str:
    return callbacks.dato(callbacks.EVALUACIONES, accion, valor, valor2)


async def _guardar(context: Contexto, persona: Persona, paso: PasoEv, b: Borrador) -> None:
    await en_bd(
        context,
        lambda s: borradores.guardar(s, persona.telegram_id, Paso(FLUJO, paso.value, asdict(b))),
    )


async def _coordinador(update: Update, context: Contexto) -> Persona | None:
    persona = await persona_o_aviso(update, context)
    if persona is not None and persona.rol is not Rol.COORDINADOR:
        if update.callback_query is not None:
            await update.callback_query.answer(alerta(t.SOLO_COORDINACION), show_alert=True)
        else:
            await responder(update, t.SOLO_COORDINACION)
        return None
    return persona


# --- /evaluaciones: list and detail -----------------------------------------------------------


async def cmd_evaluaciones(update: Update, context: Contexto) -> None:
    if await _coordinador(update, context) is None:
        return
    ent = context.entorno

    def trabajo(s: Session) -> tuple[list[servicio.ResumenEvaluacion], int]:
        return servicio.lista_evaluaciones(s, ent.calendario, ent.hoy()), servicio.sin_evaluacion(s)

    lista, sueltos = await en_bd(context, trabajo)
    filas = [[(r.titulo[:60], _d("ver", r.id))] for r in lista[:20]]
    filas.append([(t.BOTON_NUEVA, _d("nva"))])
    texto = t.lista_evaluaciones(len(lista), sueltos) if lista else t.SIN_EVALUACIONES
    await responder(update, texto, teclado(filas))


async def _detalle(update: Update, context: Contexto, evaluacion_id: int) -> None:
    ent = context.entorno

    def trabajo(s: Session) -> DetalleEvaluacion:
        return servicio.detalle_evaluacion(s, evaluacion_id, ent.calendario, ent.hoy())

    try:
        d = await en_bd(context, trabajo)
    except EvaluacionRechazada as ex:
        await responder(update, t.rechazo(str(ex)))
        return
    texto = t.detalle(d.resumen, [(n, x, e) for _, n, x, e in d.recomendaciones], d.obligaciones)
    filas = [[(t.BOTON_RECOMENDACION, _d("rec", evaluacion_id))]]
    if any(f.startswith("enviar ") for f in d.resumen.faltantes):
        filas.append([(t.BOTON_ENVIAR, _d("env", evaluacion_id))])
    await responder(update, texto, teclado(filas))


# --- Buttons ----------------------------------------------------------------------------------


async def boton(update: Update, context: Contexto) -> None:
    q = update.callback_query
    b = callbacks.leer(q.data if q else None)
    if q is None or b is None:
        return
    persona = await _coordinador(update, context)
    if persona is None:
        return
    await q.answer()
    accion = _BOTONES.get(b.accion)
    if accion is None:
        return
    await accion(update, context, persona, b)


async def _ver(update: Update, context: Contexto, _p: Persona, b: callbacks.Boton) -> None:
    if b.valor is not None:
        await _detalle(update, context, b.valor)


async def _nueva(update: Update, context: Contexto, p: Persona, _b: callbacks.Boton) -> None:
    await _guardar(context, p, PasoEv.TIPO, Borrador())
    filas = [[(tipo.etiqueta, _d("tipo", i))] for i, tipo in enumerate(_TIPOS)]
    await responder(update, t.ELIJA_TIPO, teclado(filas))


async def _borrador(context: Contexto, p: Persona, paso: PasoEv) -> Borrador | None:
    """The draft when the person is at `paso`; None for a stale button."""
    guardado = await en_bd(context, lambda s: borradores.leer(s, p.telegram_id))
    if guardado is None or guardado.flujo != FLUJO or guardado.paso != paso.value:
        return None
    return Borrador.de(guardado.datos)


async def _tipo(update: Update, context: Contexto, p: Persona, b: callbacks.Boton) -> None:
    borrador = await _borrador(context, p, PasoEv.TIPO)
    if borrador is None or b.valor is None or not 0 <= b.valor < len(_TIPOS):
        return
    borrador.tipo = _TIPOS[b.valor].value
    await quitar_botones(update, _TIPOS[b.valor].etiqueta)
    await _guardar(context, p, PasoEv.PP, borrador)
    await responder(update, t.PIDA_PP)


async def _recomendacion(update: Update, context: Contexto, p: Persona, b: callbacks.Boton) -> None:
    if b.valor is None:
        return
    await _guardar(context, p, PasoEv.RECOMENDACION, Borrador(evaluacion_id=b.valor))
    await responder(update, t.PIDA_RECOMENDACION)


async def _preguntar_criterio(update: Update, i: int) -> None:
    filas = [[(t.BOTON_SI, _d("cri", i, 1)), (t.BOTON_NO, _d("cri", i, 0))]]
    await responder(update, t.pregunta_criterio(_CRITERIOS[i].etiqueta), teclado(filas))


async def _criterio(update: Update, context: Contexto, p: Persona, b: callbacks.Boton) -> None:
    borrador = await _borrador(context, p, PasoEv.CRITERIO)
    i = len(borrador.criterios) if borrador else -1
    if borrador is None or b.valor != i or b.valor2 not in (0, 1):
        return  # a stale button, or one answered already
    borrador.criterios[_CRITERIOS[i].value] = b.valor2 == 1
    await quitar_botones(update, t.BOTON_SI if b.valor2 else t.BOTON_NO)
    if i + 1 < len(_CRITERIOS):
        await _guardar(context, p, PasoEv.CRITERIO, borrador)
        await _preguntar_criterio(update, i + 1)
    elif all(borrador.criterios.values()):
        await _guardar(context, p, PasoEv.CLASIFICACION, borrador)
        filas = [[(c.etiqueta, _d("cla", j))] for j, c in enumerate(_CLASIFICACIONES)]
        await responder(update, t.ELIJA_CLASIFICACION, teclado(filas))
    else:
        await _guardar(context, p, PasoEv.MOTIVO, borrador)
        await responder(update, t.PIDA_MOTIVO)


async def _clasificacion(update: Update, context: Contexto, p: Persona, b: callbacks.Boton) -> None:
    borrador = await _borrador(context, p, PasoEv.CLASIFICACION)
    if borrador is None or b.valor is None or not 0 <= b.valor < len(_CLASIFICACIONES):
        return
    borrador.clasificacion = _CLASIFICACIONES[b.valor].value
    await quitar_botones(update, _CLASIFICACIONES[b.valor].etiqueta)
    await _guardar(context, p, PasoEv.PRIORIDAD, borrador)
    filas = [[(pr.value.capitalize(), _d("pri", j)) for j, pr in enumerate(_PRIORIDADES)]]
    await responder(update, t.ELIJA_PRIORIDAD, teclado(filas))


async def _prioridad(update: Update, context: Contexto, p: Persona, b: callbacks.Boton) -> None:
    borrador = await _borrador(context, p, PasoEv.PRIORIDAD)
    if borrador is None or b.valor is None or not 0 <= b.valor < len(_PRIORIDADES):
        return
    borrador.prioridad = _PRIORIDADES[b.valor].value
    await quitar_botones(update, _PRIORIDADES[b.valor].value.capitalize())
    await _guardar(context, p, PasoEv.RESPONSABLES, borrador)
    await responder(update, t.PIDA_RESPONSABLES)


async def _enviar(update: Update, context: Contexto, p: Persona, b: callbacks.Boton) -> None:
    if b.valor is None:
        return
    ent = context.entorno
    evaluacion_id = b.valor

    def trabajo(s: Session) -> str:
        try:
            envio = servicio.enviar_asm(
                s, evaluacion_id, f"usuario:{p.id}", ent.ahora(), ent.calendario
            )
        except EvaluacionRechazada as ex:
            return t.rechazo(str(ex))
        avisos = t.avisar_envio(s, envio, ent.ahora())
        return t.envio_hecho(envio.enviados, envio.plazo_plan, avisos)

    await quitar_botones(update)
    await responder(update, await en_bd(context, trabajo))
    await context.salida.repartir()


Accion = Callable[[Update, Contexto, Persona, callbacks.Boton], Awaitable[None]]
_BOTONES: dict[str, Accion] = {
    "ver": _ver,
    "nva": _nueva,
    "tipo": _tipo,
    "rec": _recomendacion,
    "cri": _criterio,
    "cla": _clasificacion,
    "pri": _prioridad,
    "env": _enviar,
}


# --- Typed steps ------------------------------------------------------------------------------


async def texto(update: Update, context: Contexto, persona: Persona, paso: Paso) -> None:
    """What was typed, given to the step the draft is at (the table PASOS_TEXTO)."""
    try:
        actual = PasoEv(paso.paso)
    except ValueError:
        actual = None
    manejador = PASOS_TEXTO.get(actual) if actual else None
    escrito = (update.message.text or "").strip() if update.message else ""
    if manejador is None or not escrito:
        await responder(update, t.rechazo("Use los botones del mensaje anterior o /cancelar."))
        return
    await manejador(update, context, persona, Borrador.de(paso.datos), escrito)


Texto = Callable[[Update, Contexto, Persona, Borrador, str], Awaitable[None]]


async def _pp(update: Update, context: Contexto, p: Persona, b: Borrador, escrito: str) -> None:
    b.pp = escrito.split()[0][:40]
    await _guardar(context, p, PasoEv.EJERCICIO, b)
    await responder(update, t.PIDA_EJERCICIO)


async def _ejercicio(
    update: Update, context: Contexto, p: Persona, b: Borrador, escrito: str
) -> None:
    if not (escrito.isdigit() and len(escrito) == 4):
        await responder(update, t.EJERCICIO_INVALIDO)
        return
    b.ejercicio = int(escrito)
    await _guardar(context, p, PasoEv.NOTIFICACION, b)
    await responder(update, t.PIDA_NOTIFICACION)


async def _notificacion(
    update: Update, context: Contexto, p: Persona, b: Borrador, escrito: str
) -> None:
    try:
        b.notificacion = interpretar_fecha(escrito).isoformat()
    except ValueError as ex:
        await responder(update, t.rechazo(str(ex)))
        return
    externa = b.tipo == TipoEvaluacion.EXTERNA.value
    await _guardar(context, p, PasoEv.EVALUADOR if externa else PasoEv.LIMITE, b)
    await responder(update, t.PIDA_EVALUADOR if externa else t.PIDA_LIMITE)


async def _limite(update: Update, context: Contexto, p: Persona, b: Borrador, escrito: str) -> None:
    if escrito.lower() != "ninguna":
        try:
            b.limite = interpretar_fecha(escrito).isoformat()
        except ValueError as ex:
            await responder(update, t.rechazo(str(ex)))
            return
    await _guardar(context, p, PasoEv.EVALUADOR, b)
    await responder(update, t.PIDA_EVALUADOR)


async def _evaluador(
    update: Update, context: Contexto, p: Persona, b: Borrador, escrito: str
) -> None:
    def trabajo(s: Session) -> str:
        try:
            ev_id = servicio.registrar_evaluacion(
                s, tipo=TipoEvaluacion(str(b.tipo)), programa_clave=b.pp or "",
                ejercicio_evaluado=b.ejercicio or 0,
                fecha_notificacion=date.fromisoformat(b.notificacion) if b.notificacion else None,
                fecha_limite_atencion=date.fromisoformat(b.limite) if b.limite else None,
                evaluador="" if escrito == "-" else escrito, actor=f"usuario:{p.id}",
            )  # fmt: skip
        except EvaluacionRechazada as ex:
            return t.rechazo(str(ex)) + "\nEmpiece de nuevo con /evaluaciones."
        finally:
            borradores.borrar(s, p.telegram_id)
        b.evaluacion_id = ev_id
        return t.evaluacion_creada(TipoEvaluacion(str(b.tipo)).titulo(b.ejercicio or 0, b.pp or ""))

    await responder(update, await en_bd(context, trabajo))
    if b.evaluacion_id is not None:
        await _detalle(update, context, b.evaluacion_id)


async def _texto_recomendacion(
    update: Update, context: Contexto, p: Persona, b: Borrador, escrito: str
) -> None:
    evaluacion_id = b.evaluacion_id or 0

    try:
        resultado = await en_bd(
            context,
            lambda s: servicio.agregar_recomendacion(s, evaluacion_id, escrito, f"usuario:{p.id}"),
        )
    except EvaluacionRechazada as e:
        await responder(update, t.rechazo(str(e)))
        return
    b.recomendacion_id = resultado
    await _guardar(context, p, PasoEv.CRITERIO, b)
    await _preguntar_criterio(update, 0)


async def _motivo(update: Update, context: Contexto, p: Persona, b: Borrador, escrito: str) -> None:
    def trabajo(s: Session) -> str:
        try:
            servicio.no_seleccionar(
                s, b.recomendacion_id or 0, b.criterios, escrito, f"usuario:{p.id}"
            )
        except EvaluacionRechazada as ex:
            return t.rechazo(str(ex))
        borradores.borrar(s, p.telegram_id)
        return t.NO_SELECCIONADA

    await responder(update, await en_bd(context, trabajo))
    await _detalle(update, context, b.evaluacion_id or 0)


async def _responsables(
    update: Update, context: Contexto, p: Persona, b: Borrador, escrito: str
) -> None:
    responsables: list[ResponsableNuevo] = []
    gobierno: str | None = None
    for linea in escrito.splitlines():
        quien, dos_puntos, motivo = linea.partition(":")
        if not dos_puntos or not quien.strip():
            await responder(update, t.RESPONSABLES_INVALIDOS)
            return
        if quien.strip().lower() == "gobierno":
            gobierno = motivo.strip()
        else:
            dep, _, unidad = quien.partition("/")
            responsables.append(ResponsableNuevo(dep.strip(), motivo, unidad.strip() or None))
    hoy = context.entorno.hoy()

    def trabajo(s: Session) -> tuple[str, bool]:
        try:
            asm_id = servicio.seleccionar(
                s, b.recomendacion_id or 0, criterios=b.criterios,
                clasificacion=Clasificacion(str(b.clasificacion)), prioridad=Prioridad(str(b.prioridad)),
                responsables=responsables, actor=f"usuario:{p.id}", hoy=hoy,
                gobierno_externo=gobierno, usuario_id=p.id,
            )  # fmt: skip
        except EvaluacionRechazada as ex:
            # The draft stays at this step: the coordinador corrects and types again.
            return t.rechazo(str(ex)) + "\nCorrija los responsables o escriba /cancelar.", False
        borradores.borrar(s, p.telegram_id)
        numero = s.get_one(Asm, asm_id).numero
        return t.asm_creado(numero), True

    mensaje, hecho = await en_bd(context, trabajo)
    await responder(update, mensaje)
    if hecho:
        await _detalle(update, context, b.evaluacion_id or 0)


PASOS_TEXTO: dict[PasoEv, Texto] = {
    PasoEv.PP: _pp,
    PasoEv.EJERCICIO: _ejercicio,
    PasoEv.NOTIFICACION: _notificacion,
    PasoEv.LIMITE: _limite,
    PasoEv.EVALUADOR: _evaluador,
    PasoEv.RECOMENDACION: _texto_recomendacion,
    PasoEv.MOTIVO: _motivo,
    PasoEv.RESPONSABLES: _responsables,
}


# --- /calendario --------------------------------------------------------------------------------


async def cmd_calendario(update: Update, context: Contexto) -> None:
    """Enlaces see their dependencia's obligations; the coordinación and Contraloría, all."""
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    ent = context.entorno
    dependencia = persona.dependencia_id if persona.es_enlace else None
    if persona.es_enlace and dependencia is None:
        await responder(update, t.calendario([]))
        return
    obligaciones = await en_bd(
        context,
        lambda s: servicio.obligaciones_abiertas(s, ent.calendario, ent.hoy(), dependencia),
    )
    await responder(update, t.calendario(obligaciones))


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("evaluaciones", cmd_evaluaciones))
    app.add_handler(CommandHandler("calendario", cmd_calendario))
    app.add_handler(CallbackQueryHandler(boton, pattern=f"^{callbacks.EVALUACIONES}:"))
